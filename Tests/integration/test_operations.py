"""Fusio's bookkeeping around the operations fusio-auth serves (issue 12 item 1, reference §3.0): every answer of
/consumer/login (POST, PUT), /authorization/whoami, /authorization/revoke and /consumer/authorize carries
X-Request-Id, X-Operation-Id, X-Stability, X-Powered-By and, where a rate applies, RateLimit-Limit/-Remaining;
a fusio_log row with Fusio's columns is written for it — with the password, refresh token and bearer credentials
masked, which PHP stores in plain text; and the host's rates (fusio_rate + fusio_rate_allocation, highest priority
wins) are enforced, counting PHP's rows and ours together: by user for authenticated callers, by IP for anonymous
ones, 429 "Rate limit exceeded" with Retry-After: 900 past the limit, without running the operation or logging it.

These tests run against a private pool (1 worker, one thread per lane, so each endpoint always meets the same
thread-local one-second cache of the rates) on a scratch database migrated for the module, so the rates they
install never reach the main suite's pool.
"""

from __future__ import annotations

import re

import pytest
import requests

from conftest import create_app, create_user, db_connect, env, q, q1, run_cli, utcnow, wait_until
from frontlib import Pool
from test_migrate import drop_db, env_file_for, scratch_db

UA = "fusio-auth-tests/1.0 (operations)"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_ip_serial = iter(range(1, 250))


def fresh_ip() -> str:
    return f"198.18.7.{next(_ip_serial)}"   # benchmark range: no other test uses it


@pytest.fixture(scope="module")
def site():
    database = scratch_db("ops")
    env_file = env_file_for(database, "ops")
    run_cli("migrate", "--env", env_file, "--sql-dir", env("FA_SQL_DIR"))
    user = create_user("Consumer", env_file=env_file)
    app = create_app(user, "authorization,consumer,default", env_file=env_file)
    pool = Pool("ops", workers=1, threads=1, password_threads=1, env_file=env_file).start()
    conn = db_connect(database)
    try:
        yield pool, conn, user, app
    finally:
        conn.close()
        pool.stop()
        drop_db(database)


def login(pool: Pool, user, ip: str, password: str | None = None) -> requests.Response:
    return requests.post(pool.url + "/consumer/login", json={"username": user.name, "password": password or user.password},
                         headers={"User-Agent": UA, "X-Forwarded-For": ip}, timeout=30)


def operation(conn, name: str) -> dict:
    row = q1(conn, "SELECT id, category_id, stability FROM fusio_operation WHERE tenant_id IS NULL AND name = %s", (name,))
    assert row, name
    return row


def log_rows(conn, ip: str) -> list[dict]:
    return q(conn, "SELECT * FROM fusio_log WHERE ip = %s ORDER BY id", (ip,))


def assert_operation_headers(r: requests.Response, name: str) -> None:
    assert UUID_RE.match(r.headers.get("X-Request-Id", "")), r.headers
    assert r.headers.get("X-Operation-Id") == name, r.headers
    assert r.headers.get("X-Stability") == "experimental", r.headers   # stability 1 in Fusio's seed
    assert r.headers.get("X-Powered-By") == "Fusio", r.headers


def test_login_is_logged_with_the_password_masked(site):
    pool, conn, user, _ = site
    ip = fresh_ip()
    r = login(pool, user, ip)
    assert r.status_code == 200, r.text
    assert_operation_headers(r, "consumer.account.login")
    assert r.headers["RateLimit-Limit"] == "900" and r.headers["RateLimit-Remaining"] == "900", r.headers
    rows = log_rows(conn, ip)
    assert len(rows) == 1, rows
    row = rows[0]
    op = operation(conn, "consumer.account.login")
    assert row["tenant_id"] is None and row["operation_id"] == op["id"] and row["category_id"] == op["category_id"]
    assert row["app_id"] is None and row["user_id"] is None, "an anonymous call has neither"
    assert (row["user_agent"], row["method"], row["path"]) == (UA, "POST", "/consumer/login")
    assert row["response_code"] == 200 and isinstance(row["execution_time"], int) and row["execution_time"] >= 0
    assert abs((row["date"] - utcnow()).total_seconds()) < 30
    assert user.password not in row["body"] and user.password not in row["header"]
    assert '"password":"***"' in row["body"] and user.name in row["body"], row["body"]
    assert f"User-Agent: {UA}" in row["header"].split("\n"), row["header"]
    # a second call counts the first
    r = login(pool, user, ip, password="wrong-password")
    assert r.status_code == 400 and r.headers["RateLimit-Remaining"] == "899", (r.status_code, r.headers)
    assert [x["response_code"] for x in log_rows(conn, ip)] == [200, 400]


def test_refresh_and_whoami_mask_their_secrets_and_log_the_caller(site):
    pool, conn, user, _ = site
    ip = fresh_ip()
    tokens = login(pool, user, ip).json()
    r = requests.put(pool.url + "/consumer/login", json={"refresh_token": tokens["refresh_token"]},
                     headers={"User-Agent": UA, "X-Forwarded-For": ip}, timeout=30)
    assert r.status_code == 200, r.text
    assert_operation_headers(r, "consumer.account.refresh")
    refreshed = r.json()["token"]
    r = requests.get(pool.url + "/authorization/whoami",
                     headers={"User-Agent": UA, "X-Forwarded-For": ip, "Authorization": f"Bearer {refreshed}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert_operation_headers(r, "authorization.getWhoami")
    assert r.headers["RateLimit-Limit"] == "3600", "authenticated callers get Fusio's Default rate"
    rows = log_rows(conn, ip)
    assert [x["method"] for x in rows] == ["POST", "PUT", "GET"], rows
    refresh_row, whoami_row = rows[1], rows[2]
    assert tokens["refresh_token"] not in refresh_row["body"] and '"refresh_token":"***"' in refresh_row["body"]
    assert refreshed not in whoami_row["header"] and "Authorization: Bearer ***" in whoami_row["header"].split("\n")
    token_row = q1(conn, "SELECT app_id, user_id FROM fusio_token WHERE token = %s", (refreshed,))
    assert (whoami_row["app_id"], whoami_row["user_id"]) == (token_row["app_id"], token_row["user_id"]) and \
        whoami_row["user_id"] == user.id
    assert whoami_row["operation_id"] == operation(conn, "authorization.getWhoami")["id"]
    for row in rows:
        for secret in (user.password, tokens["token"], tokens["refresh_token"], refreshed):
            assert secret not in (row["header"] or "") + (row["body"] or ""), f"a secret in fusio_log row {row['id']}"


def install_rate(conn, name: str, limit: int, priority: int, **allocation) -> int:
    with conn.cursor() as cur:
        cur.execute("INSERT INTO fusio_rate (tenant_id, status, priority, name, rate_limit, timespan) "
                    "VALUES (NULL, 1, %s, %s, %s, 'PT1H')", (priority, name, limit))
        rate_id = cur.lastrowid
        columns = ["rate_id"] + list(allocation)
        cur.execute(f"INSERT INTO fusio_rate_allocation ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                    [rate_id, *allocation.values()])
    return rate_id


def remove_rate(conn, rate_id: int) -> None:
    q(conn, "DELETE FROM fusio_rate_allocation WHERE rate_id = %s", (rate_id,))
    q(conn, "DELETE FROM fusio_rate WHERE id = %s", (rate_id,))


def php_log_rows(conn, op: dict, count: int, ip: str, user_id: int | None = None, app_id: int | None = None) -> None:
    """fusio_log rows as PHP's Logger writes them for requests it served (before its response code is known)."""
    now = utcnow().strftime("%Y-%m-%d %H:%M:%S")
    for _ in range(count):
        q(conn, "INSERT INTO fusio_log (tenant_id, category_id, operation_id, app_id, user_id, ip, user_agent, method, path, "
                "header, body, response_code, execution_time, date) VALUES (NULL, %s, %s, %s, %s, %s, 'PHP client', 'POST', "
                "'/consumer/login', 'User-Agent: PHP client', NULL, 200, 12, %s)",
          (op["category_id"], op["id"], app_id, user_id, ip, now))


def test_anonymous_limit_counts_php_rows_and_refuses_with_429(site):
    pool, conn, user, _ = site
    op = operation(conn, "consumer.account.login")
    rate_id = install_rate(conn, "ops-login-anon", 5, 50, operation_id=op["id"], authenticated=0)
    try:
        probe = fresh_ip()
        wait_until(lambda: login(pool, user, probe, "wrong").headers.get("RateLimit-Limit") == "5", 10,
                   what="the new rate to reach the pool's thread")
        ip = fresh_ip()
        php_log_rows(conn, op, 3, ip)
        answers = [login(pool, user, ip) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429], [(a.status_code, a.text[:100]) for a in answers]
        assert [a.headers.get("RateLimit-Remaining") for a in answers] == ["2", "1", "0"]
        refused = answers[2]
        assert refused.headers.get("Retry-After") == "900"
        assert refused.json()["message"] == "Rate limit exceeded" and refused.json()["success"] is False
        assert_operation_headers(refused, "consumer.account.login")
        assert len(log_rows(conn, ip)) == 5, "the refused request is not logged (Fusio logs after the limit)"
        tokens_before = q1(conn, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (user.id,))["n"]
        assert login(pool, user, ip).status_code == 429
        assert q1(conn, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (user.id,))["n"] == tokens_before, \
            "a refused login ran anyway"
        other = fresh_ip()
        assert login(pool, user, other).status_code == 200, "the limit is per IP for anonymous callers"
    finally:
        remove_rate(conn, rate_id)


def test_authenticated_limit_counts_by_user_from_any_address(site):
    pool, conn, user, app = site
    op = operation(conn, "authorization.getWhoami")
    token = login(pool, user, fresh_ip()).json()["token"]

    def whoami(ip: str) -> requests.Response:
        return requests.get(pool.url + "/authorization/whoami",
                            headers={"User-Agent": UA, "X-Forwarded-For": ip, "Authorization": f"Bearer {token}"}, timeout=30)

    rate_id = install_rate(conn, "ops-whoami-user", 1000, 60, operation_id=op["id"], user_id=user.id)
    try:
        wait_until(lambda: whoami(fresh_ip()).headers.get("RateLimit-Limit") == "1000", 10, what="the user's rate")
        used = q1(conn, "SELECT COUNT(*) AS n FROM fusio_log WHERE user_id = %s AND date > UTC_TIMESTAMP() - INTERVAL 1 HOUR",
                  (user.id,))["n"]
        php_log_rows(conn, op, 2, "203.0.113.77", user_id=user.id)
        r = whoami(fresh_ip())
        assert r.status_code == 200
        assert r.headers["RateLimit-Remaining"] == str(1000 - used - 2), (used, r.headers)
    finally:
        remove_rate(conn, rate_id)


def test_switched_off_operation_is_404_without_bookkeeping(site):
    pool, conn, user, _ = site
    ip = fresh_ip()
    q(conn, "UPDATE fusio_operation SET status = 0 WHERE tenant_id IS NULL AND name = 'consumer.account.login'")
    try:
        wait_until(lambda: login(pool, user, ip).status_code == 404, 10, what="the switch to reach the pool")
        logged = len(log_rows(conn, ip))
        r = login(pool, user, ip)
        assert r.status_code == 404 and "X-Request-Id" not in r.headers
        assert len(log_rows(conn, ip)) == logged, "a 404 for a switched-off operation was logged"
    finally:
        q(conn, "UPDATE fusio_operation SET status = 1 WHERE tenant_id IS NULL AND name = 'consumer.account.login'")


def test_missing_user_agent_is_refused_before_anything_else(site):
    pool, conn, user, _ = site
    ip = fresh_ip()
    r = requests.post(pool.url + "/consumer/login", json={"username": user.name, "password": user.password},
                      headers={"User-Agent": "", "X-Forwarded-For": ip}, timeout=30)
    assert r.status_code == 400 and r.json()["message"] == "Request must contain an User-Agent header"
    assert log_rows(conn, ip) == []
