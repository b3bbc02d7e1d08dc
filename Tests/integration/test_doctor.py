"""`fusio-auth doctor --env FILE`: one line per check (ok/warn/FAIL, a fix on every line that is not ok), exit 0
when the database is ready for fusio-auth and 1 when not.

Ready: the test database (migrated by fusio-auth like scripts/demo's) with a PHP-style token signed with the
project key. Not ready: an account without INSERT/UPDATE/DELETE or without EXECUTE on fusioauth_issue_token
(created through the private MariaDB's root account), a project key PHP's tokens do not verify with, a missing
column, a short key.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pymysql
import pytest

from conftest import db_connect, env, q, run_cli
from resourcelib import mint_php_token
from test_migrate import drop_db, env_file_for, migrate, scratch_db

CHECKS = ["config", "fusio", "schema", "charset", "privileges", "timezone", "tokens", "key"]
LINE_RE = re.compile(r"^(ok|warn|FAIL)\s+(\w+)\s+(.+)$")


def doctor(env_file: str) -> tuple[int, dict[str, tuple[str, str]], str]:
    """Exit status, {check: (status, rest of line)} and the whole output."""
    p = run_cli("doctor", "--env", env_file, check=False, timeout=60)
    print(f"$ fusio-auth doctor --env {Path(env_file).name}\n{p.stdout}{p.stderr}")  # the report, with -s
    lines = p.stdout.splitlines()
    results = {}
    for line in lines[:-1]:
        m = LINE_RE.match(line)
        assert m, f"not a check line: {line!r}\n{p.stdout}{p.stderr}"
        results[m.group(2)] = (m.group(1), m.group(3))
        assert m.group(1) == "ok" or " — fix: " in line, f"a line that is not ok has no fix: {line!r}"
    assert lines and lines[-1] == ("ready" if p.returncode == 0 else "not ready"), p.stdout + p.stderr
    return p.returncode, results, p.stdout + p.stderr


def rewritten_env(tag: str, pattern: str, replacement: str, source: str | None = None) -> str:
    """A copy of FA_ENV_FILE (or `source`) with one line changed."""
    text = Path(source or env("FA_ENV_FILE")).read_text()
    new, n = re.subn(pattern, replacement, text, flags=re.M)
    assert n == 1, f"{pattern} not found in the env file"
    path = Path(env("FA_RUN_DIR")) / f"doctor-{tag}.env"
    path.write_text(new)
    path.chmod(0o600)
    return str(path)


def assert_no_secret(output: str) -> None:
    assert env("FA_PROJECT_KEY") not in output
    assert env("FA_DB_PASSWORD") not in output


@pytest.fixture
def php_token(db, project_key, app_url, consumer_user, consumer_app):
    """The newest PHP-issued token: signed with the project key, without jti."""
    return mint_php_token(db, project_key, app_url, consumer_user, consumer_app, "consumer")


@pytest.fixture
def root():
    """The private MariaDB's root account (empty password, unix socket only: scripts/lib/common.sh)."""
    conn = pymysql.connect(unix_socket=env("FA_DB_SOCKET"), user="root", password="", autocommit=True)
    yield conn
    conn.close()


def test_doctor_says_ready_on_the_test_database(php_token):
    status, results, output = doctor(env("FA_ENV_FILE"))
    assert status == 0, output
    assert list(results) == CHECKS, output
    assert all(s in ("ok", "warn") for s, _ in results.values()), output
    assert results["privileges"][0] == "ok" and "EXECUTE on fusioauth_issue_token" in results["privileges"][1], output
    assert results["schema"][0] == "ok", output
    assert results["charset"][0] == "ok" and "utf8mb4_unicode_ci" in results["charset"][1], output
    assert results["key"] == ("ok", f"newest PHP-issued token (id {php_token.row_id}) verifies with APP_PROJECT_KEY "
                                    "(HS256) and APP_URL"), output
    # fusio-auth migrate creates doctrine_migration_versions without Fusio's rows: said, not failed
    assert results["fusio"][0] == "warn" and "fusio-auth migrate" in results["fusio"][1], output
    assert_no_secret(output)


@pytest.mark.parametrize("grants, missing", [
    ("SELECT", ["INSERT", "UPDATE", "DELETE", "EXECUTE"]),
    ("SELECT, INSERT, UPDATE, DELETE", ["EXECUTE"]),
], ids=["select-only", "no-execute"])
def test_doctor_is_not_ready_for_an_account_without_a_privilege(root, php_token, grants, missing):
    user, password = f"fa_doc_{secrets.token_hex(3)}", secrets.token_hex(12)
    database = env("FA_DB_NAME")
    with root.cursor() as cur:
        cur.execute("CREATE USER %s@'localhost' IDENTIFIED BY %s", (user, password))
        cur.execute(f"GRANT {grants} ON `{database}`.* TO %s@'localhost'", (user,))
    try:
        env_file = rewritten_env(user, r"pdo-mysql://[^@\"\n]*@", f"pdo-mysql://{user}:{password}@")
        status, results, output = doctor(env_file)
        assert status == 1, output
        state, line = results["privileges"]
        assert state == "FAIL", output
        lacking = line.split(" lacks ", 1)[1].split(" — fix: ")[0]
        for privilege in missing:
            assert privilege in lacking, output
        assert "SELECT" not in lacking, output
        assert f"GRANT {', '.join(sorted(missing))} ON `{database}`.* TO '{user}'@'localhost'" in line, output
        # the other checks still run for a read-only account
        assert results["schema"][0] == "ok" and results["key"][0] == "ok", output
        assert password not in output
    finally:
        with root.cursor() as cur:
            cur.execute("DROP USER %s@'localhost'", (user,))


def test_doctor_fails_the_key_check_when_php_tokens_do_not_verify(php_token):
    wrong = "w" * 40
    env_file = rewritten_env("wrong-key", r"^APP_PROJECT_KEY=.*$", f'APP_PROJECT_KEY="{wrong}"')
    status, results, output = doctor(env_file)
    assert status == 1, output
    state, line = results["key"]
    assert state == "FAIL", output
    assert f"newest PHP-issued token (id {php_token.row_id}) does not verify with APP_PROJECT_KEY" in line, output
    assert wrong not in output
    assert_no_secret(output)


def test_doctor_names_a_missing_column_and_reads_the_fusio_version():
    name = scratch_db("doctor")
    try:
        env_file = env_file_for(name, "doctor-scratch")
        assert migrate(env_file).returncode == 0
        with db_connect(name) as c:
            q(c, "INSERT INTO doctrine_migration_versions (version) VALUES "
                 "('Fusio\\\\Impl\\\\Migrations\\\\Version20250420185911'), ('App\\\\Migrations\\\\Version20990101000000')")
        status, results, output = doctor(env_file)
        assert status == 0, output
        assert results["fusio"][0] == "warn" and "Fusio 8.4.7 or later, before 8.8.4" in results["fusio"][1], output
        assert results["key"][0] == "warn" and "none found" in results["key"][1], output

        with db_connect(name) as c:
            q(c, "INSERT INTO doctrine_migration_versions (version) VALUES "
                 "('Fusio\\\\Impl\\\\Migrations\\\\Version20260604202836')")
            q(c, "ALTER TABLE fusio_token DROP COLUMN ip")
        status, results, output = doctor(env_file)
        assert status == 1, output
        assert results["fusio"] == ("ok", "Fusio 8.8.x (newest migration Version20260604202836)"), output
        assert results["schema"][0] == "FAIL" and "fusio_token.ip missing" in results["schema"][1], output
    finally:
        drop_db(name)


def test_doctor_reports_a_short_key_without_showing_it():
    short = "s" * 20
    env_file = rewritten_env("short-key", r"^APP_PROJECT_KEY=.*$", f'APP_PROJECT_KEY="{short}"')
    status, results, output = doctor(env_file)
    assert status == 1, output
    assert results["config"][0] == "FAIL" and "APP_PROJECT_KEY is 20 bytes, needs at least 32" in results["config"][1]
    assert results["database"][0] == "FAIL", output
    assert short not in output


def test_doctor_reports_a_database_it_cannot_read_without_the_password():
    wrong = "not-the-" + secrets.token_hex(6)
    env_file = rewritten_env("wrong-password", r"(pdo-mysql://[^:\"\n]*:)[^@\"\n]*@", rf"\g<1>{wrong}@")
    status, results, output = doctor(env_file)
    assert status == 1, output
    assert results["config"][0] == "ok", output
    state, line = results["database"]
    assert state == "FAIL" and "MariaDB error 1045" in line and "fix: check APP_CONNECTION" in line, output
    assert wrong not in output
    assert_no_secret(output)
