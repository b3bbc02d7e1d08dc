"""Fixtures and helpers of the integration tests.

The tests drive HTTP through the real nginx into the real `fusio-auth serve` pool against the real
MariaDB; scripts/test starts all three and passes their coordinates in FA_* variables:

    FA_BASE_URL FA_APP_URL FA_BIN FA_ENV_FILE FA_RUN_DIR FA_SERVER_PIDFILE FA_SERVER_LOG FA_SOCKET
    FA_WORKERS FA_THREADS FA_DB_SOCKET FA_DB_USER FA_DB_PASSWORD FA_DB_NAME FA_PROJECT_KEY
    FA_ROOT FA_SQL_DIR FA_LONG

Every test depends (autouse) on `server_up`, which FAILS (never skips) when FA_BASE_URL/health does
not answer 200: no test can pass while the server is down.

Tests marked `webserver` (every endpoint's happy path, the web server's own answers such as the 413,
CORS preflights, headers that must pass through) run a second time through a private Apache against the
same pool: then FA_BASE_URL is Apache's URL, while FA_APP_URL stays the env file's APP_URL (nginx's URL),
which is what tokens and discovery documents carry.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pymysql.cursors
import pytest
import requests

TOKEN_PATH = "/authorization/token"
JWT_HEADER_B64 = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"  # {"typ":"JWT","alg":"HS256"}, reference §4.1
REFRESH_RE = re.compile(r"^[0-9a-f]{20}-[0-9a-f]{48}-[0-9a-f]{10}$")
APP_KEY_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
APP_SECRET_RE = re.compile(r"^[0-9a-f]{64}$")
JTI_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 random bytes, base64url (11 characters when a token would not fit with 22)
EXPIRE_P2D = (172800, 172801)  # §4.3: expires is computed a few µs after now


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the integration tests through scripts/test", pytrace=False)
    return value


def pytest_configure(config):
    config.addinivalue_line("markers", "webserver: web-server-facing test, also run through Apache by scripts/test")


# ----------------------------------------------------------------------------- session fixtures
@pytest.fixture(scope="session")
def base_url() -> str:
    return env("FA_BASE_URL").rstrip("/")


@pytest.fixture(scope="session")
def token_url(base_url) -> str:
    return base_url + TOKEN_PATH


@pytest.fixture(scope="session")
def app_url() -> str:
    return env("FA_APP_URL")


@pytest.fixture(scope="session")
def project_key() -> bytes:
    return env("FA_PROJECT_KEY").encode()


@pytest.fixture(scope="session")
def fa_bin() -> str:
    return env("FA_BIN")


@pytest.fixture(scope="session")
def run_dir() -> Path:
    return Path(env("FA_RUN_DIR"))


@pytest.fixture(scope="session", autouse=True)
def server_up(base_url):
    """Fails every test (pytest.fail, not skip) unless /health answers 200 within 10 s."""
    deadline = time.monotonic() + 10
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            r = requests.get(base_url + "/health", timeout=3)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}: {r.text[:200]!r}"
        except requests.RequestException as e:
            last = repr(e)
        time.sleep(0.2)
    pytest.fail(f"fusio-auth is not up: GET {base_url}/health -> {last}", pytrace=False)


@pytest.fixture(scope="session")
def db():
    """pymysql connection (unix socket, autocommit) to the test database."""
    conn = db_connect()
    yield conn
    conn.close()


def db_connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        unix_socket=env("FA_DB_SOCKET"),
        user=env("FA_DB_USER"),
        password=env("FA_DB_PASSWORD"),
        database=database if database is not None else env("FA_DB_NAME"),
        charset="utf8mb4",
        autocommit=True,
        cursorclass=pymysql.cursors.DictCursor,
    )


def q(conn, sql: str, args=None) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return list(cur.fetchall())


def q1(conn, sql: str, args=None) -> dict | None:
    rows = q(conn, sql, args)
    assert len(rows) <= 1, f"expected at most one row, got {len(rows)} for {sql}"
    return rows[0] if rows else None


# ----------------------------------------------------------------------------- CLI helpers
def cli_env() -> dict:
    """The environment for fusio-auth subprocesses: without APP_*/FUSIO_* (they override the file)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "FUSIO_"))}


def run_cli(*args: str, input: str | None = None, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    p = subprocess.run([env("FA_BIN"), *args], input=input, capture_output=True, text=True,
                       env=cli_env(), timeout=timeout)
    if check and p.returncode != 0:
        pytest.fail(f"fusio-auth {' '.join(args[:2])} exited {p.returncode}:\n{p.stdout}\n{p.stderr}", pytrace=False)
    return p


def parse_kv(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), v.strip())
    return out


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


@dataclass
class User:
    id: int
    name: str
    email: str
    password: str


@dataclass
class App:
    id: int
    key: str
    secret: str
    name: str
    user: User


def create_user(role: str = "Consumer", name: str | None = None, email: str | None = None,
                password: str | None = None, env_file: str | None = None) -> User:
    """`fusio-auth user add` (bcrypt cost 12): ~0.2 s."""
    name = name or unique("u")
    email = email or f"{name}@example.com"
    password = password or "pw-" + secrets.token_hex(8)
    p = run_cli("user", "add", "--env", env_file or env("FA_ENV_FILE"), "--name", name, "--email", email,
                "--password", password, "--role", role)
    kv = parse_kv(p.stdout)
    assert "user_id" in kv, f"user add printed no user_id=: {p.stdout!r}"
    return User(int(kv["user_id"]), name, email, password)


def create_app(user: User, scopes: str = "authorization,consumer,default", name: str | None = None,
               url: str = "https://app.example.com", env_file: str | None = None) -> App:
    name = name or unique("app-")
    args = ["app", "add", "--env", env_file or env("FA_ENV_FILE"), "--user", user.name, "--name", name, "--url", url]
    if scopes:
        args += ["--scopes", scopes]
    p = run_cli(*args)
    kv = parse_kv(p.stdout)
    for k in ("app_id", "app_key", "app_secret"):
        assert k in kv, f"app add printed no {k}=: {p.stdout!r}"
    return App(int(kv["app_id"]), kv["app_key"], kv["app_secret"], name, user)


# SQL helpers for fixtures the CLI does not offer
def php_password_hash(password: str, cost: int = 10) -> str:
    """A hash made by PHP's password_hash (what PHP Fusio writes), via php-cli."""
    p = subprocess.run(["php", "-r", "echo password_hash($argv[1], PASSWORD_BCRYPT, ['cost' => (int)$argv[2]]);",
                        password, str(cost)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("$2y$"), f"php password_hash failed: {p.stderr}"
    return p.stdout


def sql_create_user(conn, password_hash: str | None, role: str = "Consumer", status: int = 1,
                    scopes: tuple[str, ...] = ("authorization", "default"), name: str | None = None) -> User:
    """A user inserted directly into fusio_user (as PHP Fusio or an import would), with the given scopes."""
    name = name or unique("q")
    email = f"{name}@example.org"
    with conn.cursor() as cur:
        cur.execute("INSERT INTO fusio_user (tenant_id, role_id, status, name, email, password, date) "
                    "SELECT NULL, id, %s, %s, %s, %s, UTC_TIMESTAMP() FROM fusio_role "
                    "WHERE tenant_id IS NULL AND name = %s", (status, name, email, password_hash, role))
        assert cur.rowcount == 1, f"no role {role}"
        uid = cur.lastrowid
    set_user_scopes(conn, uid, list(scopes))
    return User(uid, name, email, "")


def set_user_scopes(conn, user_id: int, names: list[str]) -> None:
    q(conn, "DELETE FROM fusio_user_scope WHERE user_id = %s", (user_id,))
    for n in names:
        q(conn, "INSERT INTO fusio_user_scope (user_id, scope_id) "
                "SELECT %s, id FROM fusio_scope WHERE tenant_id IS NULL AND name = %s", (user_id, n))


def set_app_scopes(conn, app_id: int, names: list[str]) -> None:
    q(conn, "DELETE FROM fusio_app_scope WHERE app_id = %s", (app_id,))
    for n in names:
        q(conn, "INSERT INTO fusio_app_scope (app_id, scope_id) "
                "SELECT %s, id FROM fusio_scope WHERE tenant_id IS NULL AND name = %s", (app_id, n))


def category_id(conn, name: str) -> int:
    row = q1(conn, "SELECT id FROM fusio_category WHERE tenant_id IS NULL AND name = %s", (name,))
    assert row, f"no category {name}"
    return row["id"]


# ----------------------------------------------------------------------------- HTTP helpers
def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post_token(url: str, data=None, auth: tuple[str, str] | None = None, headers: dict | None = None,
               session: requests.Session | None = None, timeout: float = 20) -> requests.Response:
    h = {"User-Agent": "fusio-auth-tests/1.0"}
    if auth:
        h["Authorization"] = basic(*auth)
    h.update(headers or {})
    return (session or requests).post(url, data=data, headers=h, timeout=timeout)


# ----------------------------------------------------------------------------- JWT helpers
def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


@dataclass
class JWT:
    header_b64: str
    payload_b64: str
    header_raw: bytes
    payload_raw: bytes
    claims: dict  # insertion order = order in the payload JSON
    signature_ok: bool


def decode_jwt(token: str, key: bytes) -> JWT:
    parts = token.split(".")
    assert len(parts) == 3, f"not a JWT: {token!r}"
    h, p, s = parts
    assert "=" not in token, "JWT parts must be base64url without padding"
    mac = hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest()
    payload = b64url_decode(p)
    return JWT(h, p, b64url_decode(h), payload, json.loads(payload), hmac.compare_digest(mac, b64url_decode(s)))


def fusio_uuid(name: str) -> str:
    """psx-fw Uuid::nameBased (reference §4.2): NOT RFC 4122 v5, fields overlap."""
    h = hashlib.sha1(name.encode()).hexdigest()
    p3 = format((int(h[12:16], 16) & 0x0FFF) | 0x5000, "x")
    p4 = format((int(h[16:18], 16) & 0x3F) | 0x80, "x") + h[17:19]
    return f"{h[0:8]}-{h[8:12]}-{p3}-{p4}-{h[18:30]}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# ----------------------------------------------------------------------------- process helpers
def pid_alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children_of(pid: int) -> set[int]:
    kids = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            kids.add(int(d))
    return kids


def wait_until(cond, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Bounded polling of a condition; returns its first truthy value or fails."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}", pytrace=False)
        time.sleep(interval)


def common_sh(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Call a function of scripts/lib/common.sh (nginx_start, nginx_stop, ...)."""
    script = Path(env("FA_ROOT")) / "scripts" / "lib" / "common.sh"
    p = subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        pytest.fail(f"common.sh {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}", pytrace=False)
    return p


def free_port() -> int:
    """A port free now, below the kernel's ephemeral range (as scripts/lib/common.sh free_ports): one that bind(0)
    hands out can be taken by an outgoing connection before the server the test starts binds it."""
    import random
    import socket
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(10000, low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def terminate(pid: int, timeout: float = 15) -> None:
    """SIGTERM, wait, SIGKILL: for processes a test started itself."""
    if not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def stop_private_pool(proc: subprocess.Popen | None, directory: Path, nginx_started: bool) -> None:
    """Stops a `fusio-auth serve` a test started (SIGTERM, then SIGKILL) and its private nginx under `directory`;
    shared by every helper that runs a pool of its own (test_pool, frontlib, systemdlib)."""
    if proc is not None and proc.poll() is None:
        terminate(proc.pid)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
    (directory / "server.pid").unlink(missing_ok=True)
    if nginx_started:
        common_sh("nginx_stop", str(directory / "nginx"))


# ----------------------------------------------------------------------------- shared fixtures
@pytest.fixture(scope="session")
def consumer_user() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="session")
def consumer_app(consumer_user) -> App:
    return create_app(consumer_user, "authorization,consumer,default")


def fire_together(calls: list) -> list:
    """Takes (call, warm_url) pairs. Runs every call(session) in a thread of its own with its own requests.Session
    whose keep-alive connection is opened first (a GET of `warm_url`), releases them together at a barrier and
    returns the results in order. A call's exception fails the test with the thread's index."""
    n = len(calls)
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        call, warm_url = calls[i]
        s = requests.Session()
        try:
            warm = s.get(warm_url, headers={"User-Agent": "fusio-auth-tests/1.0 (race)"}, timeout=20)
            assert warm.status_code == 200, warm.text
            barrier.wait(timeout=60)
            results[i] = call(s)
        except BaseException as e:   # reported below
            barrier.abort()
            results[i] = e
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a request thread did not finish within 120 s"
    errors = [(i, r) for i, r in enumerate(results) if isinstance(r, BaseException)]
    assert not errors, f"request threads failed: {errors}"
    return results
