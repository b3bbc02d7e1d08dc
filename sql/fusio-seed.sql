-- Default rows of a fresh Fusio 8.8.4 root-tenant install that authentication depends on
-- (fusio-auth reference §1.6, impl src/Installation/NewInstallation.php and DataBag.php).
-- Ids are those of a fresh install. Code must still look rows up BY NAME: real installs differ.
--
-- Run by `fusio-auth migrate` right after sql/fusio-schema.sql, on an empty database only.
-- Format rules as in fusio-schema.sql: each statement ends with a semicolon at the end of a line,
-- whole-line '--' comments, no semicolon inside literals or comments. '\n' in literals is MariaDB's
-- newline escape.

-- Categories (status 1), insertion order of NewInstallation: 1 default .. 5 authorization.
INSERT INTO fusio_category (id, tenant_id, status, name) VALUES
 (1,NULL,1,'default'),(2,NULL,1,'backend'),(3,NULL,1,'consumer'),(4,NULL,1,'system'),(5,NULL,1,'authorization');

-- Roles (category default, status 1).
INSERT INTO fusio_role (id, category_id, tenant_id, status, name) VALUES
 (1,1,NULL,1,'Administrator'),(2,1,NULL,1,'Backend'),(3,1,NULL,1,'Consumer');

-- Scopes (status 1). 1-5 root scopes, the root descriptions are '' because DataBag::addOperations()
-- re-adds them without a description (only openid keeps its text). 6-43 backend.<resource> and
-- 44-58 consumer.<resource> in the order their operations first appear, 59 system (added with the
-- system operations). Sub-scopes have description ''.
INSERT INTO fusio_scope (id, category_id, tenant_id, status, name, description) VALUES
 (1,2,NULL,1,'backend',''),
 (2,3,NULL,1,'consumer',''),
 (3,5,NULL,1,'authorization',''),
 (4,5,NULL,1,'openid','OpenID scope'),
 (5,1,NULL,1,'default',''),
 (6,2,NULL,1,'backend.account',''),
 (7,2,NULL,1,'backend.action',''),
 (8,2,NULL,1,'backend.agent',''),
 (9,2,NULL,1,'backend.app',''),
 (10,2,NULL,1,'backend.audit',''),
 (11,2,NULL,1,'backend.category',''),
 (12,2,NULL,1,'backend.config',''),
 (13,2,NULL,1,'backend.connection',''),
 (14,2,NULL,1,'backend.cronjob',''),
 (15,2,NULL,1,'backend.dashboard',''),
 (16,2,NULL,1,'backend.event',''),
 (17,2,NULL,1,'backend.backup',''),
 (18,2,NULL,1,'backend.firewall',''),
 (19,2,NULL,1,'backend.form',''),
 (20,2,NULL,1,'backend.generator',''),
 (21,2,NULL,1,'backend.identity',''),
 (22,2,NULL,1,'backend.log',''),
 (23,2,NULL,1,'backend.marketplace',''),
 (24,2,NULL,1,'backend.bundle',''),
 (25,2,NULL,1,'backend.page',''),
 (26,2,NULL,1,'backend.plan',''),
 (27,2,NULL,1,'backend.rate',''),
 (28,2,NULL,1,'backend.role',''),
 (29,2,NULL,1,'backend.operation',''),
 (30,2,NULL,1,'backend.schema',''),
 (31,2,NULL,1,'backend.scope',''),
 (32,2,NULL,1,'backend.sdk',''),
 (33,2,NULL,1,'backend.statistic',''),
 (34,2,NULL,1,'backend.specification',''),
 (35,2,NULL,1,'backend.tenant',''),
 (36,2,NULL,1,'backend.test',''),
 (37,2,NULL,1,'backend.token',''),
 (38,2,NULL,1,'backend.taxonomy',''),
 (39,2,NULL,1,'backend.transaction',''),
 (40,2,NULL,1,'backend.trash',''),
 (41,2,NULL,1,'backend.trigger',''),
 (42,2,NULL,1,'backend.user',''),
 (43,2,NULL,1,'backend.webhook',''),
 (44,3,NULL,1,'consumer.agent',''),
 (45,3,NULL,1,'consumer.app',''),
 (46,3,NULL,1,'consumer.event',''),
 (47,3,NULL,1,'consumer.grant',''),
 (48,3,NULL,1,'consumer.log',''),
 (49,3,NULL,1,'consumer.page',''),
 (50,3,NULL,1,'consumer.form',''),
 (51,3,NULL,1,'consumer.payment',''),
 (52,3,NULL,1,'consumer.plan',''),
 (53,3,NULL,1,'consumer.scope',''),
 (54,3,NULL,1,'consumer.token',''),
 (55,3,NULL,1,'consumer.webhook',''),
 (56,3,NULL,1,'consumer.transaction',''),
 (57,3,NULL,1,'consumer.account',''),
 (58,3,NULL,1,'consumer.identity',''),
 (59,4,NULL,1,'system','');

-- Role scopes, NewInstallation order.
INSERT INTO fusio_role_scope (role_id, scope_id) VALUES
 (1,3),(1,1),(1,2),(1,5),
 (2,3),(2,1),(2,5),
 (3,3),(3,2),(3,5);

-- User 1 Administrator (role 1, status 1, plan NULL, points NULL). As in Fusio, nobody can log in as
-- this user: the password is the bcrypt hash (PHP password_hash, cost 10) of a random 20-hex string
-- that was generated once for this file and discarded. Real admins are added with
-- `fusio-auth user add ... --role Administrator` (or PHP `bin/fusio adduser`).
INSERT INTO fusio_user (id, identity_id, tenant_id, role_id, plan_id, status, name, email, password, points, date) VALUES
 (1,NULL,NULL,1,NULL,1,'Administrator','admin@localhost.com','$2y$10$ev3Wmx6bryzVWJU766n55.nh1QzLJdBhZxW/kR3oWaXBqLA0E4PHa',NULL,UTC_TIMESTAMP());

-- User scopes of Administrator: root scopes only (sub-scopes are expanded by name at token time).
INSERT INTO fusio_user_scope (user_id, scope_id) VALUES (1,1),(1,2),(1,3),(1,5);

-- fusio_config rows read by auth-related code (reference §1.6 table), in NewInstallation order and
-- with its descriptions. Form types: 1 string, 2 boolean, 3 number, 6 text. The other seeded rows
-- (info_*, mail_points_*, payment_*, points_threshold, system_*, marketplace_*, sdkgen_*) are left out.
INSERT INTO fusio_config (tenant_id, type, name, description, value) VALUES
 (NULL,2,'app_approval','If true the status of a new app is PENDING so that an administrator has to manually activate the app','0'),
 (NULL,3,'consumer_max_apps','The max amount of apps a consumer can generate','16'),
 (NULL,3,'consumer_max_tokens','The max amount of tokens a consumer can generate','16'),
 (NULL,3,'consumer_max_webhooks','The max amount of webhooks a consumer can register','8'),
 (NULL,1,'authorization_url','Url where the user can authorize for the OAuth2 flow',''),
 (NULL,1,'mail_register_subject','Subject of the activation mail','Fusio registration'),
 (NULL,6,'mail_register_body','Body of the activation mail','Hello {name},\n\nyou have successful registered at Fusio.\nTo activate you account please visit the following link:\n{apps_url}/developer/register/activate/{token}'),
 (NULL,1,'mail_pw_reset_subject','Subject of the password reset mail','Fusio password reset'),
 (NULL,6,'mail_pw_reset_body','Body of the password reset mail','Hello {name},\n\nyou have requested to reset your password.\nTo set a new password please visit the following link:\n{apps_url}/developer/password/confirm/{token}\n\nPlease ignore this email if you have not requested a password reset.'),
 (NULL,1,'recaptcha_key','ReCaptcha Key',''),
 (NULL,1,'recaptcha_secret','ReCaptcha Secret',''),
 (NULL,1,'role_default','Default role which a user gets assigned on registration','Consumer'),
 (NULL,3,'points_default','The default amount of points which a user receives if he registers','0'),
 (NULL,3,'user_pw_length','Minimal required password length','8'),
 (NULL,2,'user_approval','Whether the user needs to activate the account through an email','1');

-- The operations that fusio-auth takes over or will take over (reference §1.6 "Operations relevant
-- here"), as DataBag::addOperation() writes them: status 1, active 1, stability 1, http_code 200,
-- parameters/throws JSON, action/outgoing as php+class:// serialized class names, costs 0.
-- /authorization/token, /authorization/authorize and /.well-known/* are not operations in Fusio.
INSERT INTO fusio_operation (category_id, taxonomy_id, tenant_id, status, active, public, stability, description, http_method, http_path, http_code, name, parameters, incoming, outgoing, throws, action, costs, metadata) VALUES
 (3,NULL,NULL,1,1,1,1,'User login by providing a username and password','POST','/consumer/login',200,'consumer.account.login','{}','php+class://Fusio.Model.Consumer.UserLogin','php+class://Fusio.Model.Consumer.UserJWT','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Consumer.Action.User.Login',0,NULL),
 (3,NULL,NULL,1,1,1,1,'Refresh a previously obtained access token','PUT','/consumer/login',200,'consumer.account.refresh','{}','php+class://Fusio.Model.Consumer.UserRefresh','php+class://Fusio.Model.Consumer.UserJWT','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Consumer.Action.User.Refresh',0,NULL),
 (3,NULL,NULL,1,1,1,1,'Returns information about a specific app to start the OAuth2 authorization code flow','GET','/consumer/authorize',200,'consumer.account.getApp','{"client_id":{"type":"string"},"scope":{"type":"string"}}',NULL,'php+class://Fusio.Model.Consumer.AuthorizeMeta','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Consumer.Action.User.GetApp',0,NULL),
 (3,NULL,NULL,1,1,1,1,'Authorizes the access of a specific app for the authenticated user','POST','/consumer/authorize',200,'consumer.account.authorize','{}','php+class://Fusio.Model.Consumer.AuthorizeRequest','php+class://Fusio.Model.Consumer.AuthorizeResponse','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Consumer.Action.User.Authorize',0,NULL),
 (5,NULL,NULL,1,1,0,1,'Revoke the access token of the current authenticated user','POST','/authorization/revoke',200,'authorization.revoke','{}',NULL,'php+class://Fusio.Model.Common.Message','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Authorization.Action.Revoke',0,NULL),
 (5,NULL,NULL,1,1,0,1,'Returns user data of the current authenticated user','GET','/authorization/whoami',200,'authorization.getWhoami','{}',NULL,'php+class://Fusio.Model.Backend.User','{"999":"php+class://Fusio.Model.Common.Message"}','php+class://Fusio.Impl.Authorization.Action.GetWhoami',0,NULL);

-- Every consumer operation X.Y is granted by scope consumer.X, authorization operations by scope
-- authorization (allow 1).
INSERT INTO fusio_scope_operation (scope_id, operation_id, allow)
 SELECT s.id, o.id, 1 FROM fusio_scope s JOIN fusio_operation o ON o.name LIKE 'consumer.account.%'
  WHERE s.tenant_id IS NULL AND s.name = 'consumer.account' AND o.tenant_id IS NULL ORDER BY o.id;
INSERT INTO fusio_scope_operation (scope_id, operation_id, allow)
 SELECT s.id, o.id, 1 FROM fusio_scope s JOIN fusio_operation o ON o.name LIKE 'authorization.%'
  WHERE s.tenant_id IS NULL AND s.name = 'authorization' AND o.tenant_id IS NULL ORDER BY o.id;

-- Rates (impl DataBag::addRate, §1.6): Default, 3600 requests per hour for everyone; Default-Anonymous, 900 per
-- hour per IP for anonymous callers, which wins by priority. Operations count their fusio_log rows against them.
INSERT INTO fusio_rate (id, tenant_id, status, priority, name, rate_limit, timespan, metadata) VALUES
 (1,NULL,1,0,'Default',3600,'PT1H',NULL),(2,NULL,1,4,'Default-Anonymous',900,'PT1H',NULL);
INSERT INTO fusio_rate_allocation (rate_id, operation_id, app_id, user_id, plan_id, authenticated) VALUES
 (1,NULL,NULL,NULL,NULL,NULL),(2,NULL,NULL,NULL,NULL,0);
