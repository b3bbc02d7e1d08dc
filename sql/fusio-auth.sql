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

-- Failed password checks per account (issue: per-account throttling). One row per user with failures in the
-- current window; cleared on a successful login.
CREATE TABLE IF NOT EXISTS fusioauth_login_failure (
  user_id INT NOT NULL,
  window_start DATETIME NOT NULL,
  failures INT NOT NULL,
  PRIMARY KEY(user_id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
