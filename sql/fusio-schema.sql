-- Fusio 8.8.4 schema subset that authentication touches (fusio-auth reference §1.7).
--
-- Unchanged output of Doctrine DBAL 3.10 (MariaDb1060Platform) for impl's base migration
-- (src/Migrations/Version20230508210151.php) with charset=utf8mb4, collation=utf8mb4_unicode_ci,
-- reduced to the auth/audit/rate tables (fusio_taxonomy only because fusio_operation has a FK to it).
-- 25 fusio_ tables + doctrine_migration_versions, same names, columns, types, keys and FK names as PHP Fusio.
--
-- `fusio-auth migrate` runs this file ONLY on an empty database (then sql/fusio-seed.sql and
-- sql/fusio-auth.sql). On a database that already holds a Fusio schema it is never run: fusio_* and
-- doctrine_* tables belong to PHP Fusio and are not touched.
--
-- Format rules (a migrate command may split files on them): each statement ends with a semicolon
-- at the end of a line, comments are whole lines starting with '--', no semicolon inside literals
-- or comments.

CREATE TABLE fusio_category (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  UNIQUE INDEX UNIQ_945B9E849033212A5E237E06 (tenant_id, name),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_taxonomy (
  id INT AUTO_INCREMENT NOT NULL,
  parent_id INT DEFAULT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT DEFAULT 1 NOT NULL,
  name VARCHAR(255) NOT NULL,
  insert_date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_6F053F789033212A5E237E06 (tenant_id, name),
  INDEX IDX_6F053F78727ACA70 (parent_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_role (
  id INT AUTO_INCREMENT NOT NULL,
  category_id INT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  UNIQUE INDEX UNIQ_8C7AB57D9033212A5E237E06 (tenant_id, name),
  INDEX IDX_8C7AB57D12469DE2 (category_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_identity (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  app_id INT NOT NULL,
  role_id INT DEFAULT NULL,
  name VARCHAR(128) NOT NULL,
  icon VARCHAR(64) NOT NULL,
  class VARCHAR(255) NOT NULL,
  config LONGTEXT DEFAULT NULL,
  allow_create TINYINT(1) NOT NULL,
  insert_date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_F8826E819033212A5E237E06 (tenant_id, name),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_identity_request (
  id INT AUTO_INCREMENT NOT NULL,
  identity_id INT NOT NULL,
  state VARCHAR(255) NOT NULL,
  redirect_uri VARCHAR(255) DEFAULT NULL,
  insert_date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_20FB7251FF3ED4A8A393D2FB (identity_id, state),
  INDEX IDX_20FB7251FF3ED4A8 (identity_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_plan (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(255) NOT NULL,
  price INT NOT NULL,
  points INT NOT NULL,
  period_type INT DEFAULT NULL,
  external_id VARCHAR(255) DEFAULT NULL,
  metadata LONGTEXT DEFAULT NULL,
  UNIQUE INDEX UNIQ_649646A9033212A5E237E06 (tenant_id, name),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_user (
  id INT AUTO_INCREMENT NOT NULL,
  identity_id INT DEFAULT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  role_id INT NOT NULL,
  plan_id INT DEFAULT NULL,
  status INT NOT NULL,
  remote_id VARCHAR(255) DEFAULT NULL,
  external_id VARCHAR(255) DEFAULT NULL,
  name VARCHAR(64) NOT NULL,
  email VARCHAR(128) DEFAULT NULL,
  password VARCHAR(255) DEFAULT NULL,
  points INT DEFAULT NULL,
  token VARCHAR(255) DEFAULT NULL,
  metadata LONGTEXT DEFAULT NULL,
  date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_5680E95E9033212AFF3ED4A82A3E9C94 (tenant_id, identity_id, remote_id),
  UNIQUE INDEX UNIQ_5680E95E9033212A5E237E06 (tenant_id, name),
  UNIQUE INDEX UNIQ_5680E95E9033212AE7927C74 (tenant_id, email),
  INDEX IDX_5680E95EFF3ED4A8 (identity_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_app (
  id INT AUTO_INCREMENT NOT NULL,
  user_id INT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  url VARCHAR(255) NOT NULL,
  parameters VARCHAR(255) DEFAULT NULL,
  app_key VARCHAR(255) NOT NULL,
  app_secret VARCHAR(255) NOT NULL,
  metadata LONGTEXT DEFAULT NULL,
  date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_6198B1E59033212AA4E2186E (tenant_id, app_key),
  INDEX IDX_6198B1E5A76ED395 (user_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_scope (
  id INT AUTO_INCREMENT NOT NULL,
  category_id INT DEFAULT 1 NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT DEFAULT 1 NOT NULL,
  name VARCHAR(32) NOT NULL,
  description VARCHAR(255) NOT NULL,
  metadata LONGTEXT DEFAULT NULL,
  UNIQUE INDEX UNIQ_83A7C32B9033212A5E237E06 (tenant_id, name),
  INDEX IDX_83A7C32B12469DE2 (category_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_app_scope (
  id INT AUTO_INCREMENT NOT NULL,
  app_id INT NOT NULL,
  scope_id INT NOT NULL,
  UNIQUE INDEX UNIQ_D0587A867987212D682B5931 (app_id, scope_id),
  INDEX IDX_D0587A867987212D (app_id),
  INDEX IDX_D0587A86682B5931 (scope_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_user_scope (
  id INT AUTO_INCREMENT NOT NULL,
  user_id INT NOT NULL,
  scope_id INT NOT NULL,
  UNIQUE INDEX UNIQ_1CBF915FA76ED395682B5931 (user_id, scope_id),
  INDEX IDX_1CBF915F682B5931 (scope_id),
  INDEX IDX_1CBF915FA76ED395 (user_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_role_scope (
  id INT AUTO_INCREMENT NOT NULL,
  role_id INT NOT NULL,
  scope_id INT NOT NULL,
  UNIQUE INDEX UNIQ_9A18228D60322AC682B5931 (role_id, scope_id),
  INDEX IDX_9A18228682B5931 (scope_id),
  INDEX IDX_9A18228D60322AC (role_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_plan_scope (
  id INT AUTO_INCREMENT NOT NULL,
  plan_id INT NOT NULL,
  scope_id INT NOT NULL,
  UNIQUE INDEX UNIQ_ADDB2FFBE899029B682B5931 (plan_id, scope_id),
  INDEX IDX_ADDB2FFB682B5931 (scope_id),
  INDEX IDX_ADDB2FFBE899029B (plan_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_app_code (
  id INT AUTO_INCREMENT NOT NULL,
  app_id INT NOT NULL,
  user_id INT NOT NULL,
  code VARCHAR(255) NOT NULL,
  redirect_uri VARCHAR(255) DEFAULT NULL,
  scope VARCHAR(1023) NOT NULL,
  date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_E02C927D77153098 (code),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_user_grant (
  id INT AUTO_INCREMENT NOT NULL,
  user_id INT NOT NULL,
  app_id INT NOT NULL,
  allow INT NOT NULL,
  date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_D515A2C0A76ED3957987212D (user_id, app_id),
  INDEX IDX_D515A2C0A76ED395 (user_id),
  INDEX IDX_D515A2C07987212D (app_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_operation (
  id INT AUTO_INCREMENT NOT NULL,
  category_id INT DEFAULT 1 NOT NULL,
  taxonomy_id INT DEFAULT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT DEFAULT 1 NOT NULL,
  active INT DEFAULT 0 NOT NULL,
  public INT DEFAULT 0 NOT NULL,
  stability INT DEFAULT 1 NOT NULL,
  description VARCHAR(500) DEFAULT NULL,
  http_method VARCHAR(16) NOT NULL,
  http_path VARCHAR(255) NOT NULL,
  http_code INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  parameters LONGTEXT DEFAULT NULL,
  incoming VARCHAR(255) DEFAULT NULL,
  outgoing VARCHAR(255) NOT NULL,
  throws LONGTEXT DEFAULT NULL,
  action VARCHAR(255) NOT NULL,
  costs INT DEFAULT NULL,
  metadata LONGTEXT DEFAULT NULL,
  UNIQUE INDEX UNIQ_1FA504F59033212A5E237E06 (tenant_id, name),
  UNIQUE INDEX UNIQ_1FA504F59033212A452BE2A7AAFE5D88 (tenant_id, http_method, http_path),
  INDEX IDX_OPERATION_S (status),
  INDEX IDX_OPERATION_CS (category_id, status),
  INDEX IDX_1FA504F512469DE2 (category_id),
  INDEX IDX_1FA504F59557E6F6 (taxonomy_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_scope_operation (
  id INT AUTO_INCREMENT NOT NULL,
  scope_id INT NOT NULL,
  operation_id INT NOT NULL,
  allow SMALLINT NOT NULL,
  UNIQUE INDEX IDX_SCOPE_OPERATION_SO (scope_id, operation_id),
  INDEX IDX_7B9CDE20682B5931 (scope_id),
  INDEX IDX_7B9CDE2044AC3583 (operation_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_token (
  id INT AUTO_INCREMENT NOT NULL,
  category_id INT DEFAULT 1 NOT NULL,
  app_id INT DEFAULT NULL,
  user_id INT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT DEFAULT 1 NOT NULL,
  name VARCHAR(255) DEFAULT NULL,
  token VARCHAR(512) NOT NULL,
  refresh VARCHAR(255) DEFAULT NULL,
  scope VARCHAR(1023) NOT NULL,
  ip VARCHAR(40) NOT NULL,
  expire DATETIME DEFAULT NULL,
  date DATETIME NOT NULL,
  UNIQUE INDEX UNIQ_DC3F37C39033212A7B00651C5F37A13B (tenant_id, status, token),
  UNIQUE INDEX UNIQ_DC3F37C39033212A6081A0FB (tenant_id, refresh),
  INDEX IDX_DC3F37C37987212D (app_id),
  INDEX IDX_DC3F37C3A76ED395 (user_id),
  INDEX IDX_DC3F37C312469DE2 (category_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_config (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  type INT DEFAULT 1 NOT NULL,
  name VARCHAR(64) NOT NULL,
  description VARCHAR(512) NOT NULL,
  value VARCHAR(512) NOT NULL,
  UNIQUE INDEX UNIQ_676F5DC49033212A5E237E06 (tenant_id, name),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_firewall (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  type INT NOT NULL,
  ip VARCHAR(39) NOT NULL,
  expire DATETIME DEFAULT NULL,
  metadata LONGTEXT DEFAULT NULL,
  UNIQUE INDEX UNIQ_DA169C3B9033212A5E237E06 (tenant_id, name),
  INDEX IDX_DA169C3B9033212A8CDE5729A5E3B32D2CB14AD4 (tenant_id, type, ip, expire),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_firewall_log (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  ip VARCHAR(39) NOT NULL,
  response_code INT NOT NULL,
  insert_date DATETIME DEFAULT NULL,
  UNIQUE INDEX UNIQ_6BE9C1169033212AA5E3B32D (tenant_id, ip),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_audit (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  app_id INT NOT NULL,
  user_id INT NOT NULL,
  ref_id INT DEFAULT NULL,
  event VARCHAR(255) NOT NULL,
  ip VARCHAR(40) NOT NULL,
  message VARCHAR(255) NOT NULL,
  content LONGTEXT DEFAULT NULL,
  date DATETIME NOT NULL,
  INDEX IDX_111069819033212A (tenant_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_log (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  category_id INT DEFAULT 1 NOT NULL,
  operation_id INT DEFAULT NULL,
  app_id INT DEFAULT NULL,
  user_id INT DEFAULT NULL,
  ip VARCHAR(40) NOT NULL,
  user_agent VARCHAR(255) NOT NULL,
  method VARCHAR(16) NOT NULL,
  path VARCHAR(1023) NOT NULL,
  header LONGTEXT NOT NULL,
  body LONGTEXT DEFAULT NULL,
  response_code INT DEFAULT NULL,
  execution_time INT DEFAULT NULL,
  date DATETIME NOT NULL,
  INDEX IDX_LOG_TID (tenant_id, ip, date),
  INDEX IDX_LOG_TUD (tenant_id, user_id, date),
  INDEX IDX_LOG_TIRD (tenant_id, ip, response_code, date),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_rate (
  id INT AUTO_INCREMENT NOT NULL,
  tenant_id VARCHAR(64) DEFAULT NULL,
  status INT NOT NULL,
  priority INT NOT NULL,
  name VARCHAR(64) NOT NULL,
  rate_limit INT NOT NULL,
  timespan VARCHAR(255) NOT NULL,
  metadata LONGTEXT DEFAULT NULL,
  UNIQUE INDEX UNIQ_4FF002E9033212A5E237E06 (tenant_id, name),
  INDEX IDX_RATE_S (status),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
CREATE TABLE fusio_rate_allocation (
  id INT AUTO_INCREMENT NOT NULL,
  rate_id INT NOT NULL,
  operation_id INT DEFAULT NULL,
  app_id INT DEFAULT NULL,
  user_id INT DEFAULT NULL,
  plan_id INT DEFAULT NULL,
  authenticated INT DEFAULT NULL,
  INDEX IDX_26E07532BC999F9F (rate_id),
  INDEX IDX_26E0753244AC3583 (operation_id),
  INDEX IDX_26E075327987212D (app_id),
  PRIMARY KEY(id)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;

ALTER TABLE fusio_app ADD CONSTRAINT app_user_id FOREIGN KEY (user_id) REFERENCES fusio_user (id);
ALTER TABLE fusio_app_scope ADD CONSTRAINT app_scope_app_id FOREIGN KEY (app_id) REFERENCES fusio_app (id);
ALTER TABLE fusio_app_scope ADD CONSTRAINT app_scope_scope_id FOREIGN KEY (scope_id) REFERENCES fusio_scope (id);
ALTER TABLE fusio_identity_request ADD CONSTRAINT identity_request_identity_id FOREIGN KEY (identity_id) REFERENCES fusio_identity (id);
ALTER TABLE fusio_operation ADD CONSTRAINT operation_category_id FOREIGN KEY (category_id) REFERENCES fusio_category (id);
ALTER TABLE fusio_operation ADD CONSTRAINT operation_taxonomy_id FOREIGN KEY (taxonomy_id) REFERENCES fusio_taxonomy (id);
ALTER TABLE fusio_plan_scope ADD CONSTRAINT plan_scope_scope_id FOREIGN KEY (scope_id) REFERENCES fusio_scope (id);
ALTER TABLE fusio_plan_scope ADD CONSTRAINT plan_scope_user_id FOREIGN KEY (plan_id) REFERENCES fusio_plan (id);
ALTER TABLE fusio_rate_allocation ADD CONSTRAINT rate_allocation_rate_id FOREIGN KEY (rate_id) REFERENCES fusio_rate (id);
ALTER TABLE fusio_rate_allocation ADD CONSTRAINT rate_allocation_operation_id FOREIGN KEY (operation_id) REFERENCES fusio_operation (id);
ALTER TABLE fusio_rate_allocation ADD CONSTRAINT rate_allocation_app_id FOREIGN KEY (app_id) REFERENCES fusio_app (id);
ALTER TABLE fusio_role ADD CONSTRAINT role_category_id FOREIGN KEY (category_id) REFERENCES fusio_category (id);
ALTER TABLE fusio_role_scope ADD CONSTRAINT role_scope_scope_id FOREIGN KEY (scope_id) REFERENCES fusio_scope (id);
ALTER TABLE fusio_role_scope ADD CONSTRAINT role_scope_role_id FOREIGN KEY (role_id) REFERENCES fusio_role (id);
ALTER TABLE fusio_scope ADD CONSTRAINT scope_category_id FOREIGN KEY (category_id) REFERENCES fusio_category (id);
ALTER TABLE fusio_scope_operation ADD CONSTRAINT scope_operation_scope_id FOREIGN KEY (scope_id) REFERENCES fusio_scope (id);
ALTER TABLE fusio_scope_operation ADD CONSTRAINT scope_operation_operation_id FOREIGN KEY (operation_id) REFERENCES fusio_operation (id);
ALTER TABLE fusio_token ADD CONSTRAINT token_app_id FOREIGN KEY (app_id) REFERENCES fusio_app (id);
ALTER TABLE fusio_token ADD CONSTRAINT token_user_id FOREIGN KEY (user_id) REFERENCES fusio_user (id);
ALTER TABLE fusio_token ADD CONSTRAINT token_category_id FOREIGN KEY (category_id) REFERENCES fusio_category (id);
ALTER TABLE fusio_taxonomy ADD CONSTRAINT taxonomy_parent_id FOREIGN KEY (parent_id) REFERENCES fusio_taxonomy (id);
ALTER TABLE fusio_user ADD CONSTRAINT user_identity_id FOREIGN KEY (identity_id) REFERENCES fusio_identity (id);
ALTER TABLE fusio_user_grant ADD CONSTRAINT user_grant_user_id FOREIGN KEY (user_id) REFERENCES fusio_user (id);
ALTER TABLE fusio_user_grant ADD CONSTRAINT user_grant_app_id FOREIGN KEY (app_id) REFERENCES fusio_app (id);
ALTER TABLE fusio_user_scope ADD CONSTRAINT user_scope_scope_id FOREIGN KEY (scope_id) REFERENCES fusio_scope (id);
ALTER TABLE fusio_user_scope ADD CONSTRAINT user_scope_user_id FOREIGN KEY (user_id) REFERENCES fusio_user (id);

CREATE TABLE doctrine_migration_versions (
  version VARCHAR(191) NOT NULL,
  executed_at DATETIME DEFAULT NULL,
  execution_time INT DEFAULT NULL,
  PRIMARY KEY(version)
) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB;
