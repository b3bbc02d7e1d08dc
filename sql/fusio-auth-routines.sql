-- fusio-auth's stored procedure, run by `fusio-auth migrate` as ONE statement (not split on `;`).
-- It writes a token row and its audit row in one transaction and one round trip, instead of four
-- (START TRANSACTION, two INSERTs, COMMIT): the token endpoint is dominated by database round trips.
-- Every value arrives as a parameter of a prepared CALL. If the procedure is missing (no CREATE ROUTINE
-- privilege when migrating), fusio-auth writes the same rows with separate statements.
-- SQL SECURITY INVOKER: it runs with the caller's privileges. Parameters are utf8mb4 whatever the
-- database default, so 4-byte characters in a User-Agent reach utf8mb4 tables intact.
CREATE OR REPLACE PROCEDURE fusioauth_issue_token(
  IN p_tenant_id VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_category_id INT,
  IN p_app_id INT,
  IN p_user_id INT,
  IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_token VARCHAR(512) CHARACTER SET utf8mb4,
  IN p_refresh VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_scope VARCHAR(1023) CHARACTER SET utf8mb4,
  IN p_ip VARCHAR(40) CHARACTER SET utf8mb4,
  IN p_expire DATETIME,
  IN p_date DATETIME,
  IN p_audit_app_id INT,
  IN p_audit_content_tail TEXT CHARACTER SET utf8mb4
)
MODIFIES SQL DATA
SQL SECURITY INVOKER
BEGIN
  DECLARE v_token_id INT;
  DECLARE v_active INT;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  START TRANSACTION;
  -- Written only while the user (and the app, if any) is active: the caller may have read them from a copy
  -- up to a second old. SQLSTATE 45000 tells the caller nothing was written for that reason. (No tenant
  -- comparison here: the caller read the user in its tenant, and a string parameter compared with a column
  -- would clash with whatever collation an existing install's tables have.) A locking read: the insert's
  -- foreign-key checks take the same shared locks on these two rows anyway, so it adds no new waits; it needs
  -- no read view, which made the plain-read form the costliest part of the call under concurrent writers
  -- (README, Benchmarks); and a concurrent deactivation waits for this commit instead of racing it.
  SELECT COUNT(*) INTO v_active
    FROM fusio_user u LEFT JOIN fusio_app a ON a.id = p_app_id
   WHERE u.id = p_user_id AND u.status = 1 AND (p_app_id IS NULL OR a.status = 1)
    LOCK IN SHARE MODE;
  IF v_active = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'fusioauth: user or app not active';
  END IF;
  INSERT INTO fusio_token (tenant_id, category_id, app_id, user_id, status, name, token, refresh, scope, ip, expire, date)
  VALUES (p_tenant_id, p_category_id, p_app_id, p_user_id, 1, p_name, p_token, p_refresh, p_scope, p_ip, p_expire, p_date);
  SET v_token_id = LAST_INSERT_ID();
  INSERT INTO fusio_audit (tenant_id, app_id, user_id, ref_id, event, ip, message, content, date)
  VALUES (p_tenant_id, p_audit_app_id, p_user_id, v_token_id, 'token.generate', p_ip, 'Generated token',
          CONCAT('{"tokenId":', v_token_id, p_audit_content_tail), p_date);
  COMMIT;
END
