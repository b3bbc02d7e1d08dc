"""`fusio-auth migrate`, configuration errors, and the admin commands `user add` / `app add`.

migrate: creates the Fusio auth schema + default rows + fusioauth_* tables in an empty database,
is idempotent, and on a database that already holds a Fusio schema changes no fusio_*/doctrine_*
table (it only adds fusioauth_* tables) and says so.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (APP_KEY_RE, APP_SECRET_RE, create_user, db_connect, env, parse_kv, q, q1,
                      run_cli, unique, utcnow)

SQL_DIR = Path(os.environ.get("FA_SQL_DIR") or Path(__file__).resolve().parents[2] / "sql")
CONSUMER_SUBS = ["agent", "app", "event", "grant", "log", "page", "form", "payment", "plan", "scope", "token",
                 "webhook", "transaction", "account", "identity"]
BACKEND_SUBS = ["account", "action", "agent", "app", "audit", "category", "config", "connection", "cronjob",
                "dashboard", "event", "backup", "firewall", "form", "generator", "identity", "log", "marketplace",
                "bundle", "page", "plan", "rate", "role", "operation", "schema", "scope", "sdk", "statistic",
                "specification", "tenant", "test", "token", "taxonomy", "transaction", "trash", "trigger", "user",
                "webhook"]


# ----------------------------------------------------------------------------- helpers
def snapshot(conn, like: tuple[str, ...] = ("fusio\\_%", "doctrine\\_%", "fusioauth\\_%")) -> dict:
    """{table: (CHECKSUM TABLE, SHOW CREATE TABLE)} of the matching tables."""
    tables = []
    for pattern in like:
        tables += [list(r.values())[0] for r in q(conn, "SHOW TABLES LIKE %s", (pattern,))]
    out = {}
    for t in sorted(set(tables)):
        checksum = q1(conn, f"CHECKSUM TABLE `{t}`")["Checksum"]
        create = q1(conn, f"SHOW CREATE TABLE `{t}`")["Create Table"]
        out[t] = (checksum, create)
    return out


def scratch_db(prefix: str) -> str:
    name = f"fusio_{prefix}_{secrets.token_hex(4)}"
    with db_connect("") as c:
        q(c, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    return name


def drop_db(name: str) -> None:
    with db_connect("") as c:
        q(c, f"DROP DATABASE IF EXISTS `{name}`")


def env_file_for(database: str, tag: str) -> str:
    """A copy of FA_ENV_FILE whose APP_CONNECTION points at another database."""
    text = Path(env("FA_ENV_FILE")).read_text()
    new, n = re.subn(r"(APP_CONNECTION=\"?[^\"\n]*@[^/\"\n]*/)[^?\"\n]+", lambda m: m.group(1) + database, text)
    assert n == 1, "cannot find APP_CONNECTION in FA_ENV_FILE"
    path = Path(env("FA_RUN_DIR")) / f"{tag}.env"
    path.write_text(new)
    path.chmod(0o600)
    return str(path)


def load_sql(database: str, *files: Path) -> None:
    for f in files:
        with open(f) as fh:
            p = subprocess.run(["mariadb", "--no-defaults", f"--socket={env('FA_DB_SOCKET')}", f"-u{env('FA_DB_USER')}",
                                database], stdin=fh, capture_output=True, text=True,
                               env={**os.environ, "MYSQL_PWD": env("FA_DB_PASSWORD")}, timeout=60)
        assert p.returncode == 0, f"loading {f.name}: {p.stderr}"


def migrate(env_file: str, *extra: str) -> subprocess.CompletedProcess:
    # no --sql-dir: the binary must find sql/ by walking up from its own directory
    return run_cli("migrate", "--env", env_file, *extra, check=False, timeout=120)


def scope_names(conn, sql: str, args) -> set[str]:
    return {r["name"] for r in q(conn, sql, args)}


# ----------------------------------------------------------------------------- migrate
def test_migrate_is_idempotent_on_the_test_db(db):
    before = snapshot(db)
    assert "fusioauth_schema" in before and "fusio_token" in before
    for i in range(2):
        p = migrate(env("FA_ENV_FILE"))
        assert p.returncode == 0, f"run {i + 1}: {p.stdout}\n{p.stderr}"
        assert snapshot(db) == before, f"migrate run {i + 1} changed the database"


def test_migrate_empty_database_creates_schema_and_seed():
    name = scratch_db("empty")
    try:
        env_file = env_file_for(name, "empty")
        p = migrate(env_file)
        assert p.returncode == 0, p.stdout + p.stderr
        with db_connect(name) as c:
            expected = set(re.findall(r"^CREATE TABLE (\w+) \(", (SQL_DIR / "fusio-schema.sql").read_text(), re.M))
            expected |= set(re.findall(r"^CREATE TABLE IF NOT EXISTS (\w+) \(", (SQL_DIR / "fusio-auth.sql").read_text(), re.M))
            # 26 Fusio tables (§1.7) plus fusio-auth's own fusioauth_* tables
            assert len([t for t in expected if not t.startswith("fusioauth_")]) == 26, expected
            assert {"fusioauth_schema", "fusioauth_code_challenge"} <= expected
            tables = {list(r.values())[0] for r in q(c, "SHOW TABLES")}
            assert tables == expected
            bad = q(c, "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                       "AND TABLE_COLLATION <> 'utf8mb4_unicode_ci'", (name,))
            assert bad == []

            cats = {r["id"]: r["name"] for r in q(c, "SELECT id, name FROM fusio_category WHERE tenant_id IS NULL")}
            assert cats == {1: "default", 2: "backend", 3: "consumer", 4: "system", 5: "authorization"}
            roles = {r["id"]: r["name"] for r in q(c, "SELECT id, name FROM fusio_role WHERE tenant_id IS NULL")}
            assert roles == {1: "Administrator", 2: "Backend", 3: "Consumer"}
            scopes = q(c, "SELECT id, name, description, category_id, status FROM fusio_scope ORDER BY id")
            names = ["backend", "consumer", "authorization", "openid", "default"] + \
                [f"backend.{s}" for s in BACKEND_SUBS] + [f"consumer.{s}" for s in CONSUMER_SUBS] + ["system"]
            assert [(r["id"], r["name"]) for r in scopes] == list(enumerate(names, start=1))
            assert {r["name"]: r["description"] for r in scopes if r["description"]} == {"openid": "OpenID scope"}
            assert all(r["status"] == 1 for r in scopes)
            cat_of = {r["name"]: r["category_id"] for r in scopes}
            assert cat_of["openid"] == 5 and cat_of["system"] == 4 and cat_of["default"] == 1
            assert cat_of["backend.user"] == 2 and cat_of["consumer.app"] == 3
            role_scopes = {(r["role"], r["scope"]) for r in q(c, "SELECT r.name role, s.name scope FROM fusio_role_scope x "
                                                                "JOIN fusio_role r ON r.id = x.role_id JOIN fusio_scope s ON s.id = x.scope_id")}
            assert role_scopes == {("Administrator", s) for s in ("authorization", "backend", "consumer", "default")} | \
                {("Backend", s) for s in ("authorization", "backend", "default")} | \
                {("Consumer", s) for s in ("authorization", "consumer", "default")}
            admin = q1(c, "SELECT * FROM fusio_user WHERE name = 'Administrator'")
            assert admin["id"] == 1 and admin["role_id"] == 1 and admin["status"] == 1
            assert admin["email"] == "admin@localhost.com" and admin["password"].startswith("$2y$")
            assert scope_names(c, "SELECT s.name FROM fusio_user_scope x JOIN fusio_scope s ON s.id = x.scope_id "
                                  "WHERE x.user_id = %s", (1,)) == {"backend", "consumer", "authorization", "default"}
            config = {r["name"]: r["value"] for r in q(c, "SELECT name, value FROM fusio_config WHERE tenant_id IS NULL")}
            for k, v in {"app_approval": "0", "consumer_max_apps": "16", "consumer_max_tokens": "16",
                         "authorization_url": "", "role_default": "Consumer", "points_default": "0",
                         "user_pw_length": "8", "user_approval": "1"}.items():
                assert config.get(k) == v, (k, config.get(k))
            ops = {r["name"]: r for r in q(c, "SELECT * FROM fusio_operation")}
            assert {n: (o["http_method"], o["http_path"], o["public"]) for n, o in ops.items()} == {
                "consumer.account.login": ("POST", "/consumer/login", 1),
                "consumer.account.refresh": ("PUT", "/consumer/login", 1),
                "consumer.account.getApp": ("GET", "/consumer/authorize", 1),
                "consumer.account.authorize": ("POST", "/consumer/authorize", 1),
                "authorization.revoke": ("POST", "/authorization/revoke", 0),
                "authorization.getWhoami": ("GET", "/authorization/whoami", 0),
            }
            grants = {(r["scope"], r["op"], r["allow"]) for r in q(
                c, "SELECT s.name scope, o.name op, x.allow FROM fusio_scope_operation x "
                   "JOIN fusio_scope s ON s.id = x.scope_id JOIN fusio_operation o ON o.id = x.operation_id")}
            assert grants == {("consumer.account" if n.startswith("consumer.") else "authorization", n, 1) for n in ops}
            assert q(c, "SELECT * FROM doctrine_migration_versions") == []

            before = snapshot(c)
        p = migrate(env_file)
        assert p.returncode == 0, p.stdout + p.stderr
        with db_connect(name) as c:
            assert snapshot(c) == before, "second migrate changed the database"
    finally:
        drop_db(name)


def test_migrate_leaves_an_existing_fusio_schema_alone():
    name = scratch_db("pre")
    try:
        load_sql(name, SQL_DIR / "fusio-schema.sql", SQL_DIR / "fusio-seed.sql")
        with db_connect(name) as c:
            # what PHP Fusio would have on top: bookkeeping rows, data, a table outside our subset
            q(c, "INSERT INTO doctrine_migration_versions (version, executed_at, execution_time) VALUES "
                 "('Fusio\\\\Impl\\\\Migrations\\\\Version20230508210151', '2025-01-01 00:00:00', 1234)")
            q(c, "INSERT INTO fusio_user (tenant_id, role_id, status, name, email, password, date) VALUES "
                 "(NULL, 3, 1, 'marker-user', 'marker@example.com', '', '2025-01-01 00:00:00')")
            q(c, "INSERT INTO fusio_config (tenant_id, type, name, description, value) VALUES "
                 "(NULL, 1, 'marker', 'set by PHP', 'keep me')")
            q(c, "CREATE TABLE fusio_action (id INT AUTO_INCREMENT NOT NULL, name VARCHAR(255) NOT NULL, "
                 "PRIMARY KEY(id)) DEFAULT CHARACTER SET utf8mb4 COLLATE `utf8mb4_unicode_ci` ENGINE = InnoDB")
            q(c, "INSERT INTO fusio_action (name) VALUES ('Marker-Action')")
            # a Fusio schema that differs from ours in a detail: migrate must not "repair" it
            q(c, "ALTER TABLE fusio_app_code MODIFY scope VARCHAR(255) NOT NULL")
            before = snapshot(c, ("fusio\\_%", "doctrine\\_%"))
            assert len(before) == 27 and not q(c, "SHOW TABLES LIKE 'fusioauth\\_%'")

        env_file = env_file_for(name, "pre")
        for i in range(2):
            p = migrate(env_file)
            out = p.stdout + p.stderr
            assert p.returncode == 0, out
            with db_connect(name) as c:
                assert snapshot(c, ("fusio\\_%", "doctrine\\_%")) == before, f"run {i + 1} changed Fusio's tables"
                assert q(c, "SHOW TABLES LIKE 'fusioauth_schema'"), "fusioauth_schema was not created"
            if i == 0:
                assert re.search(r"(?i)fusio", out) and re.search(r"(?i)\b(unchanged|untouched|left|kept|not (changed|modified|touched))\b", out), \
                    f"migrate does not say that it left the Fusio tables alone: {out!r}"
    finally:
        drop_db(name)


# ----------------------------------------------------------------------------- configuration errors
def bad_env(tag: str, key_line: str | None) -> str:
    lines = [l for l in Path(env("FA_ENV_FILE")).read_text().splitlines() if not l.startswith("APP_PROJECT_KEY")]
    if key_line is not None:
        lines.append(key_line)
    path = Path(env("FA_RUN_DIR")) / f"{tag}.env"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def assert_one_line_naming(p: subprocess.CompletedProcess, key: str, secret: str | None) -> None:
    assert p.returncode != 0, f"exit code 0 with a bad {key}"
    out = p.stdout + p.stderr
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected one line, got: {out!r}"
    assert key in lines[0], lines[0]
    if secret:
        assert secret not in out, "the output shows the secret value"


def test_missing_project_key():
    p = run_cli("migrate", "--env", bad_env("nokey", None), check=False)
    assert_one_line_naming(p, "APP_PROJECT_KEY", None)


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_short_project_key(command):
    value = "short-secret-" + secrets.token_hex(4)   # 21 bytes < 32
    args = [command, "--env", bad_env("shortkey", f'APP_PROJECT_KEY="{value}"')]
    if command == "serve":
        sock = Path(env("FA_RUN_DIR")) / "shortkey.sock"
        args += ["--listen", f"unix:{sock}", "--workers", "1"]
    p = run_cli(*args, check=False, timeout=20)
    assert_one_line_naming(p, "APP_PROJECT_KEY", value)


# ----------------------------------------------------------------------------- admin commands
def php_verify(password: str, hash_: str) -> bool:
    php = shutil.which("php")
    if not php:
        pytest.fail("php-cli is needed to check hashes with PHP's password_verify", pytrace=False)
    p = subprocess.run([php, "-r", "exit(password_verify($argv[1], $argv[2]) ? 0 : 1);", password, hash_],
                       capture_output=True, timeout=30)
    return p.returncode == 0


def role_scope_expectation(db, role: str) -> set[str]:
    roots = {"Consumer": ["authorization", "consumer", "default"],
             "Administrator": ["authorization", "backend", "consumer", "default"]}[role]
    out = set(roots)
    for r in roots:
        out |= scope_names(db, "SELECT name FROM fusio_scope WHERE tenant_id IS NULL AND name LIKE %s", (r + ".%",))
    return out


@pytest.mark.parametrize("role", ["Consumer", "Administrator"])
def test_user_add(role, db):
    u = create_user(role)
    row = q1(db, "SELECT * FROM fusio_user WHERE id = %s", (u.id,))
    assert row["name"] == u.name and row["email"] == u.email
    assert row["tenant_id"] is None and row["identity_id"] is None
    assert row["status"] == 1
    assert row["role_id"] == q1(db, "SELECT id FROM fusio_role WHERE tenant_id IS NULL AND name = %s", (role,))["id"]
    assert re.fullmatch(r"\$2y\$12\$[./A-Za-z0-9]{53}", row["password"]), row["password"]
    assert php_verify(u.password, row["password"]), "PHP password_verify rejects the hash"
    assert not php_verify(u.password + "x", row["password"])
    assert abs((row["date"] - utcnow()).total_seconds()) <= 30
    scopes = scope_names(db, "SELECT s.name FROM fusio_user_scope x JOIN fusio_scope s ON s.id = x.scope_id "
                             "WHERE x.user_id = %s", (u.id,))
    # Fusio copies the role's scopes "expanded with all sub-scopes" (reference §1.3 fusio_role)
    expected = role_scope_expectation(db, role)
    assert len(expected) == {"Consumer": 3 + 15, "Administrator": 4 + 38 + 15}[role]
    assert scopes == expected


def test_user_add_password_stdin(db):
    name = unique("s")
    password = "stdin-" + secrets.token_hex(6)
    p = run_cli("user", "add", "--env", env("FA_ENV_FILE"), "--name", name, "--email", f"{name}@example.com",
                "--password-stdin", input=password + "\n")
    uid = int(parse_kv(p.stdout)["user_id"])
    assert password not in p.stdout + p.stderr
    row = q1(db, "SELECT password FROM fusio_user WHERE id = %s", (uid,))
    assert php_verify(password, row["password"]), "the trailing newline of stdin must not be part of the password"


def test_app_add(db):
    u = create_user("Consumer")
    name = unique("app-")
    p = run_cli("app", "add", "--env", env("FA_ENV_FILE"), "--user", u.name, "--name", name,
                "--url", "https://client.example.org/cb", "--scopes", "authorization,consumer,default")
    kv = parse_kv(p.stdout)
    assert APP_KEY_RE.match(kv["app_key"]), kv
    assert APP_SECRET_RE.match(kv["app_secret"]), kv
    out = p.stdout + p.stderr
    assert out.count(kv["app_secret"]) == 1, "the secret must be printed exactly once"
    row = q1(db, "SELECT * FROM fusio_app WHERE id = %s", (int(kv["app_id"]),))
    assert row["app_key"] == kv["app_key"] and row["app_secret"] == kv["app_secret"]
    assert row["user_id"] == u.id and row["name"] == name and row["url"] == "https://client.example.org/cb"
    assert row["status"] == 1 and row["tenant_id"] is None
    assert abs((row["date"] - utcnow()).total_seconds()) <= 30
    scopes = scope_names(db, "SELECT s.name FROM fusio_app_scope x JOIN fusio_scope s ON s.id = x.scope_id "
                             "WHERE x.app_id = %s", (row["id"],))
    assert scopes == {"authorization", "consumer", "default"}
    # a second app gets a different key and secret
    kv2 = parse_kv(run_cli("app", "add", "--env", env("FA_ENV_FILE"), "--user", u.name, "--name", unique("app-"),
                           "--url", "https://client.example.org", "--scopes", "authorization").stdout)
    assert kv2["app_key"] != kv["app_key"] and kv2["app_secret"] != kv["app_secret"]
