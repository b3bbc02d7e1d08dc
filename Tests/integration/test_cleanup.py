"""`fusio-auth cleanup`: which rows of fusio_token, fusio_app_code and fusio-auth's own tables it deletes,
that --dry-run deletes nothing and counts the same, that --batch is honoured, that bad options are refused,
and that tokens issued while it runs are all served.

The exact-row tests run against a scratch database (cleanup works across the whole database, so the shared
test database's rows would blur the counts); the concurrency test runs against the served database.
"""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import threading

import pytest

from conftest import (create_app, create_user, db_connect, env, parse_kv, post_token, q, q1, run_cli, cli_env,
                      utcnow)
from test_migrate import drop_db, env_file_for, migrate, scratch_db

DAY = dt.timedelta(days=1)


def fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def cleanup(env_file: str, *args: str) -> dict[str, str]:
    p = run_cli("cleanup", "--env", env_file, *args, timeout=300)
    return parse_kv(p.stdout)


def insert_token(c, user_id: int, app_id: int | None, status: int, expire: dt.datetime | None, date: dt.datetime,
                 name: str) -> int:
    with c.cursor() as cur:
        cur.execute("INSERT INTO fusio_token (category_id, app_id, user_id, status, name, token, refresh, scope, ip, expire, date) "
                    "VALUES (1, %s, %s, %s, %s, %s, NULL, 'consumer', '127.0.0.1', %s, %s)",
                    (app_id, user_id, status, name, "t-" + secrets.token_hex(16), expire and fmt(expire), fmt(date)))
        return cur.lastrowid


def insert_code(c, app_id: int, user_id: int, date: dt.datetime) -> int:
    with c.cursor() as cur:
        cur.execute("INSERT INTO fusio_app_code (app_id, user_id, code, redirect_uri, scope, date) "
                    "VALUES (%s, %s, %s, NULL, 'consumer', %s)", (app_id, user_id, secrets.token_hex(16), fmt(date)))
        return cur.lastrowid


def insert_challenge(c, code_id: int) -> None:
    q(c, "INSERT INTO fusioauth_code_challenge (code_id, challenge, method, created) VALUES (%s, 'x', 'S256', %s)",
      (code_id, fmt(utcnow())))


@pytest.fixture()
def populated():
    """A scratch database with one row of every kind; yields (env file, {kind: id or key}, expected deletions)."""
    name = scratch_db("cleanup")
    try:
        env_file = env_file_for(name, "cleanup")
        p = migrate(env_file)
        assert p.returncode == 0, p.stdout + p.stderr
        user = create_user(env_file=env_file)
        app = create_app(user, env_file=env_file)
        now = utcnow()
        with db_connect(name) as c:
            u, a = user.id, app.id
            rows = {
                # fusio_token, --older-than P30D: expired before the cutoff goes, whatever its status
                "token_expired_old": insert_token(c, u, a, 1, now - 40 * DAY, now - 42 * DAY, "expired-old"),
                "token_expired_old_revoked": insert_token(c, u, a, 2, now - 31 * DAY, now - 33 * DAY, "expired-old-revoked"),
                # revoked/rotated and issued before the cutoff goes even if not expired yet
                "token_revoked_old": insert_token(c, u, a, 2, now + 300 * DAY, now - 40 * DAY, "revoked-old"),
                # kept: expired within the grace period, revoked recently, active, active long-lived
                "token_expired_recent": insert_token(c, u, a, 1, now - 10 * DAY, now - 12 * DAY, "expired-recent"),
                "token_revoked_recent": insert_token(c, u, a, 2, now + DAY, now - DAY, "revoked-recent"),
                "token_active": insert_token(c, u, a, 1, now + 2 * DAY, now, "active"),
                "token_active_old": insert_token(c, u, None, 1, now + 300 * DAY, now - 60 * DAY, "active-old"),
                # fusio_app_code: 30 minutes of life; consumed codes carry 1970
                "code_expired": insert_code(c, a, u, now - dt.timedelta(hours=1)),
                "code_consumed": insert_code(c, a, u, dt.datetime(1970, 1, 1)),
                "code_fresh": insert_code(c, a, u, now - dt.timedelta(minutes=1)),
            }
            insert_challenge(c, rows["code_expired"])
            insert_challenge(c, rows["code_fresh"])
            insert_challenge(c, 2_000_000_000)  # its code is long gone
            # fusioauth_login_attempt: FUSIO_LOGIN_WINDOW PT15M; fusioauth_login_source: lifetime P30D
            q(c, "INSERT INTO fusioauth_login_attempt (user_id, source, window_start, failures) VALUES "
                 "(%s, '*', %s, 3), (%s, '10.0.0.1', %s, 1)", (u, fmt(now - dt.timedelta(hours=1)), u, fmt(now - dt.timedelta(minutes=1))))
            q(c, "INSERT INTO fusioauth_login_source (user_id, source, last_login) VALUES "
                 "(%s, '10.0.0.2', %s), (%s, '10.0.0.3', %s)", (u, fmt(now - 40 * DAY), u, fmt(now - DAY)))
        expected = {"fusio_token": "3", "fusio_app_code": "2", "fusioauth_code_challenge": "2",
                    "fusioauth_login_attempt": "1", "fusioauth_login_source": "1"}
        yield env_file, name, rows, expected
    finally:
        drop_db(name)


def remaining(name: str) -> dict[str, set]:
    with db_connect(name) as c:
        return {
            "fusio_token": {r["name"] for r in q(c, "SELECT name FROM fusio_token")},
            "fusio_app_code": {r["id"] for r in q(c, "SELECT id FROM fusio_app_code")},
            "fusioauth_code_challenge": {r["code_id"] for r in q(c, "SELECT code_id FROM fusioauth_code_challenge")},
            "fusioauth_login_attempt": {r["source"] for r in q(c, "SELECT source FROM fusioauth_login_attempt")},
            "fusioauth_login_source": {r["source"] for r in q(c, "SELECT source FROM fusioauth_login_source")},
        }


def test_cleanup_deletes_exactly_the_expired_and_revoked_rows(populated):
    env_file, name, rows, expected = populated
    out = cleanup(env_file)
    assert out == {"dry_run": "0", **expected}
    assert remaining(name) == {
        "fusio_token": {"expired-recent", "revoked-recent", "active", "active-old"},
        "fusio_app_code": {rows["code_fresh"]},
        "fusioauth_code_challenge": {rows["code_fresh"]},
        "fusioauth_login_attempt": {"10.0.0.1"},
        "fusioauth_login_source": {"10.0.0.3"},
    }
    # a second run finds nothing left
    assert cleanup(env_file) == {"dry_run": "0", **{k: "0" for k in expected}}


def test_dry_run_deletes_nothing_and_counts_the_same(populated):
    env_file, name, _, expected = populated
    before = remaining(name)
    assert cleanup(env_file, "--dry-run") == {"dry_run": "1", **expected}
    assert remaining(name) == before
    assert cleanup(env_file) == {"dry_run": "0", **expected}


def test_older_than_moves_the_token_cutoff(populated):
    env_file, name, _, expected = populated
    out = cleanup(env_file, "--older-than", "P5D", "--dry-run")
    # expired-recent (expired 10 days ago) now counts too; the revoked-recent row was issued a day ago
    assert out["fusio_token"] == "4"


def test_small_batches_delete_everything(populated):
    env_file, name, _, _ = populated
    with db_connect(name) as c:
        user_id = q1(c, "SELECT MAX(user_id) u FROM fusio_token")["u"]
        for i in range(5):
            insert_token(c, user_id, None, 1, utcnow() - 50 * DAY, utcnow() - 51 * DAY, f"batch-{i}")
    out = cleanup(env_file, "--batch", "2", "--pause-ms", "0")
    assert out["fusio_token"] == "8"
    assert not {n for n in remaining(name)["fusio_token"] if n.startswith(("batch-", "expired-old", "revoked-old"))}


@pytest.mark.parametrize("args, message", [
    (["--older-than", "30 days"], "--older-than must be an ISO-8601 duration"),
    (["--batch", "0"], "--batch must be a whole number from 1 to 100000"),
    (["--pause-ms=-1"], "--pause-ms must be a whole number from 0 to 10000"),
])
def test_bad_options_are_refused_with_a_clear_message(args, message):
    p = run_cli("cleanup", "--env", env("FA_ENV_FILE"), *args, check=False)
    assert p.returncode != 0 and message in p.stderr and p.stdout == ""


def test_tokens_issued_during_cleanup_all_succeed(db, token_url, consumer_app):
    """20,000 expired rows deleted in batches of 200 while four clients keep asking for tokens."""
    marker = "cleanup-load-" + secrets.token_hex(4)
    old = fmt(utcnow() - 60 * DAY)
    q(db, "INSERT INTO fusio_token (category_id, app_id, user_id, status, name, token, scope, ip, expire, date) "
          "VALUES (1, NULL, %s, 1, %s, %s, 'consumer', '127.0.0.1', %s, %s)",
      (consumer_app.user.id, marker, marker + "-0", old, old))
    for _ in range(14):  # doubling: 2^14 rows, plus a few
        q(db, "INSERT INTO fusio_token (category_id, app_id, user_id, status, name, token, scope, ip, expire, date) "
              "SELECT 1, NULL, user_id, 1, name, CONCAT(token, '-', id), scope, ip, expire, date FROM fusio_token WHERE name = %s",
          (marker,))
    planted = q1(db, "SELECT COUNT(*) n FROM fusio_token WHERE name = %s", (marker,))["n"]
    assert planted >= 16_000

    proc = subprocess.Popen([env("FA_BIN"), "cleanup", "--env", env("FA_ENV_FILE"), "--batch", "200", "--pause-ms", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())
    statuses: list[int] = []
    during = [0]
    lock = threading.Lock()

    def client():
        for _ in range(2000):  # bounded; stops as soon as the cleanup has finished
            if proc.poll() is not None:
                return
            r = post_token(token_url, {"grant_type": "client_credentials"}, auth=(consumer_app.key, consumer_app.secret))
            with lock:
                statuses.append(r.status_code)
                if proc.poll() is None:
                    during[0] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert int(parse_kv(out)["fusio_token"]) >= planted
    assert q1(db, "SELECT COUNT(*) n FROM fusio_token WHERE name = %s", (marker,))["n"] == 0
    assert during[0] > 0, "no token request completed while the cleanup ran"
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests: {sorted(set(statuses))}"
