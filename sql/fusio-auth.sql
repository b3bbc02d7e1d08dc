-- fusio-auth's own tables. Prefix fusioauth_, never fusio_ (PHP Fusio owns those, reference §8.1 item 14).
-- `fusio-auth migrate` runs this file on every database, empty or an existing Fusio one, and on every
-- run: every statement must be idempotent (CREATE TABLE IF NOT EXISTS, no data changes on re-runs).
-- Format rules as in fusio-schema.sql.

-- Which fusio-auth schema versions have been applied (rows written by `fusio-auth migrate`).
CREATE TABLE IF NOT EXISTS fusioauth_schema (
  version INT NOT NULL,
  applied_at DATETIME NOT NULL,
  PRIMARY KEY(version)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;

-- RFC 7636 challenges of authorization codes (fusio_app_code has no column for them). One row per code that
-- was requested with PKCE; the token endpoint then demands a matching code_verifier.
CREATE TABLE IF NOT EXISTS fusioauth_code_challenge (
  code_id INT NOT NULL,
  challenge VARCHAR(128) NOT NULL,
  method VARCHAR(5) NOT NULL,
  created DATETIME NOT NULL,
  PRIMARY KEY(code_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;

-- Failed password checks per account and source (issue 12: throttling that cannot lock owners out). `source` is
-- the client address of a source that logged into the account before (its own budget), or '*' for the budget
-- all other sources share. One row per budget with failures in its current window.
CREATE TABLE IF NOT EXISTS fusioauth_login_attempt (
  user_id INT NOT NULL,
  source VARCHAR(45) NOT NULL,
  window_start DATETIME NOT NULL,
  failures INT NOT NULL,
  PRIMARY KEY(user_id, source)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;

-- Sources (client addresses) that logged into an account successfully, and when last: a source seen within
-- FUSIO_LOGIN_KNOWN_SOURCE_LIFETIME keeps a failure budget of its own. `fusio-auth cleanup` may delete old rows.
CREATE TABLE IF NOT EXISTS fusioauth_login_source (
  user_id INT NOT NULL,
  source VARCHAR(45) NOT NULL,
  last_login DATETIME NOT NULL,
  PRIMARY KEY(user_id, source)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;

-- The per-account counter of earlier versions (one budget for every source), replaced by the two tables above.
DROP TABLE IF EXISTS fusioauth_login_failure;
