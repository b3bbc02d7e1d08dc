"""Forced database outage (issue 5, "Bad input, fuzzed": no 5xx except 503 during a database outage).

MariaDB is stopped through its pid file (scripts/lib/common.sh mariadb_stop). While it is down, every endpoint
must answer promptly with 503 (Fusio's generic body or OAuth's temporarily_unavailable) or a 4xx that needs no
database, never another 5xx and never hang; a burst of fuzzed requests must do the same. MariaDB is then started
again on the same data directory with the options of common.sh mariadb_start (which would wipe it), and the pool
must recover by itself: /health answers 200 within a deadline and valid token requests succeed on every thread.
No worker may die. Secrets sent during the outage carry the `fa-canary-` prefix so that test_zz_logs can check
that the logged failures do not contain them.

Runs after the other modules (name), and always leaves MariaDB running: the restart is in a finally block, and
the session's pymysql connection is reconnected.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import time
import urllib.parse
from pathlib import Path

import pymysql
import pytest
import requests

from conftest import children_of, env
from fuzzlib import (UPSTREAM_TROUBLE, Client, Req, forget_client_addresses, make_state, nginx_error_log, problems,
                     read_from, run_fuzz, size_of, supervisor_pid)

UA = "fusio-auth-tests/1.0 (outage)"
ANSWER_S = 10.0          # an answer during the outage must come within this (the client times out at 20 s)
RECOVER_S = 60.0
BURST = 1500             # fuzzed requests during the outage


def db_dir() -> Path:
    return Path(env("FA_RUN_DIR")) / "db"


def db_alive() -> bool:
    p = subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={db_dir() / 'mysqld.sock'}", "-uroot", "ping"],
                       capture_output=True, text=True, timeout=30)
    return p.returncode == 0


def mariadb_stop() -> None:
    script = Path(env("FA_ROOT")) / "scripts" / "lib" / "common.sh"
    p = subprocess.run(["bash", "-c", '. "$1" && mariadb_stop "$2"', "_", str(script), str(db_dir())],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"mariadb_stop failed: {p.stdout}{p.stderr}"
    assert not db_alive(), "MariaDB still answers after mariadb_stop"


def mariadb_restart() -> None:
    """mariadbd on the EXISTING datadir with common.sh mariadb_start's options (mariadb_start itself wipes it)."""
    d = db_dir()
    user_opt = "--user=root" if os.getuid() == 0 else ""
    # setsid + background: the server outlives this bash and pytest, and is stopped later through its pid file
    cmd = ('setsid mariadbd --no-defaults --datadir="$D/data" --socket="$D/mysqld.sock" --pid-file="$D/mysqld.pid" '
           f'--log-error="$D/error.log" {user_opt} --skip-networking --skip-name-resolve --skip-log-bin '
           '--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >>"$D/stdout.log" 2>&1 &')
    subprocess.run(["bash", "-c", cmd], env={**os.environ, "D": str(d)}, timeout=30, check=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db_alive():
            return
        time.sleep(0.2)
    tail = (d / "error.log").read_text(errors="replace")[-2000:] if (d / "error.log").exists() else ""
    pytest.fail(f"MariaDB did not come back within 60 s on {d / 'data'}:\n{tail}", pytrace=False)


def canary(what: str) -> str:
    return f"fa-canary-{what}-{secrets.token_hex(6)}"


def outage_requests(base_url: str, state, bearer: str) -> list[tuple[str, Req, bool]]:
    """(label, request, needs the database): one valid-looking request per endpoint and grant, with canary
    secrets where a secret goes."""
    def basic(i: str, s: str) -> tuple:
        return "Authorization", "Basic " + base64.b64encode(f"{i}:{s}".encode()).decode()
    form = ("Content-Type", "application/x-www-form-urlencoded")
    js = ("Content-Type", "application/json")
    ua = ("User-Agent", UA)
    enc = urllib.parse.urlencode
    app = basic(state.app_key, state.app_secret)
    return [
        ("client_credentials", Req("", "POST", "/authorization/token", [ua, form, app],
                                   b"grant_type=client_credentials&scope=authorization"), True),
        ("client_credentials canary", Req("", "POST", "/authorization/token", [ua, form, basic(state.app_key, canary("secret"))],
                                          b"grant_type=client_credentials"), True),
        ("client_credentials body canary", Req("", "POST", "/authorization/token", [ua, form], enc(
            {"grant_type": "client_credentials", "client_id": canary("client"), "client_secret": canary("secret")}).encode()), True),
        ("password", Req("", "POST", "/authorization/token", [ua, form, app], enc(
            {"grant_type": "password", "username": state.user_name, "password": canary("password")}).encode()), True),
        ("refresh_token", Req("", "POST", "/authorization/token", [ua, form, app], enc(
            {"grant_type": "refresh_token", "refresh_token": canary("refresh")}).encode()), True),
        ("authorization_code", Req("", "POST", "/authorization/token", [ua, form, app], enc(
            {"grant_type": "authorization_code", "code": canary("code"), "redirect_uri": state.redirect_uri}).encode()), True),
        ("json body", Req("", "POST", "/authorization/token", [ua, js], (
            '{"grant_type":"password","client_id":"%s","client_secret":"%s","username":"%s","password":"%s"}'
            % (state.app_key, state.app_secret, state.user_email, canary("password"))).encode()), True),
        ("consumer login", Req("", "POST", "/consumer/login", [ua, js], (
            '{"username":"%s","password":"%s"}' % (state.user_name, canary("password"))).encode()), True),
        ("consumer refresh", Req("", "PUT", "/consumer/login", [ua, js], ('{"refresh_token":"%s"}' % canary("refresh")).encode()), True),
        ("whoami", Req("", "GET", "/authorization/whoami", [ua, ("Authorization", "Bearer " + bearer)]), True),
        ("whoami canary", Req("", "GET", "/authorization/whoami", [ua, ("Authorization", "Bearer " + canary("bearer"))]), False),
        ("revoke own", Req("", "POST", "/authorization/revoke", [ua, ("Authorization", "Bearer " + bearer)], b""), True),
        ("revoke for client", Req("", "POST", "/authorization/revoke", [ua, form, app], enc({"token": canary("token")}).encode()), True),
        ("introspect", Req("", "POST", "/authorization/introspect", [ua, form, app], enc({"token": bearer}).encode()), False),
        ("consumer authorize GET", Req("", "GET", "/consumer/authorize?" + enc({"client_id": state.app_key}),
                                       [ua, ("Authorization", "Bearer " + bearer)]), True),
        ("consumer authorize POST", Req("", "POST", "/consumer/authorize", [ua, js, ("Authorization", "Bearer " + bearer)], (
            '{"responseType":"code","clientId":"%s","redirectUri":"%s","scope":"authorization","allow":true}'
            % (state.app_key, state.redirect_uri)).encode()), True),
        ("consent page", Req("", "GET", "/authorization/authorize?" + state.csrf_query, [ua]), True),
        ("consent post", Req("", "POST", "/authorization/authorize?" + state.csrf_query, [ua, form], enc(
            {"csrf": state.csrf, "username": state.user_name, "password": canary("password"), "allow": "Allow"}).encode()), True),
        ("health", Req("", "GET", "/health", [ua]), True),
        ("openid-configuration", Req("", "GET", "/.well-known/openid-configuration", [ua]), False),
        ("authorization-server", Req("", "GET", "/.well-known/oauth-authorization-server", [ua]), False),
        ("protected-resource", Req("", "GET", "/.well-known/oauth-protected-resource", [ua]), False),
        ("unknown path", Req("", "GET", "/nowhere", [ua]), False),
        ("broken body", Req("", "POST", "/authorization/token", [ua, form], b"grant_type=%zz"), False),
    ]


def test_database_outage(db, base_url, token_url, app_url, project_key, capsys):
    state = make_state(db, base_url, app_url, project_key)
    bearer = state.pick(__import__("random").Random(1), "access")
    host, port = urllib.parse.urlsplit(base_url).hostname, urllib.parse.urlsplit(base_url).port
    sup = supervisor_pid()
    workers_before = children_of(sup)
    server_log = Path(env("FA_SERVER_LOG"))
    log_offset, nginx_offset = size_of(server_log), size_of(nginx_error_log())
    bad: list[str] = []
    lines: list[str] = []
    stopped_at = None
    try:
        mariadb_stop()
        stopped_at = time.monotonic()
        client = Client(host, port, timeout=20)
        for round_ in range(2):          # twice: every thread has lost its connection by the second round
            for label, req, needs_db in outage_requests(base_url, state, bearer):
                resp = client.send(req)
                lines.append(f"{label}: {resp.status} in {resp.seconds:.2f}s")
                if resp.status is None or resp.seconds > ANSWER_S:
                    bad.append(f"{label}: no prompt answer ({resp.error or f'{resp.seconds:.1f}s'})")
                    continue
                probs = problems(req, resp, allow_503=True)
                if probs:
                    bad.append(f"{label}: {'; '.join(probs)}")
                elif needs_db and resp.status != 503:
                    bad.append(f"{label}: HTTP {resp.status}, expected 503 while the database is down: {resp.body[:200]!r}")
        client.close()
        stats, failures = run_fuzz(base_url, state, secrets.randbits(32), BURST, 120, allow_503=True, bcrypt_budget=10)
        with capsys.disabled():
            print(f"\n[outage] {stats['sent']} fuzzed requests while MariaDB was down: "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(stats["statuses"].items(), key=lambda kv: str(kv[0]))), flush=True)
        bad += [f"fuzzed request #{i} ({req.kind}): {'; '.join(p)}\n    sent: {req.describe()}"
                for i, req, _, p in failures[:10]]
        if stats["slowest"][0] > ANSWER_S:
            bad.append(f"slowest fuzzed answer took {stats['slowest'][0]:.1f}s: {stats['slowest'][1]}")
    finally:
        if not db_alive():
            mariadb_restart()
        try:                         # the session's connection died with the server
            db.ping(reconnect=False)
        except pymysql.err.Error:
            db.connect()

    # ---- recovery, by itself
    t0 = time.monotonic()
    last = "no answer"
    while time.monotonic() - t0 < RECOVER_S:
        try:
            r = requests.get(base_url + "/health", timeout=10)
            if r.status_code == 200:
                break
            last = f"HTTP {r.status_code} {r.text[:200]}"
        except requests.RequestException as e:
            last = repr(e)
        time.sleep(0.2)
    else:
        pytest.fail(f"/health did not answer 200 within {RECOVER_S}s after MariaDB came back: {last}", pytrace=False)
    recovered_s = time.monotonic() - t0
    for n in range(16):   # more than the pool's threads: each must have reconnected
        r = requests.post(token_url, data={"grant_type": "client_credentials"}, auth=(state.app_key, state.app_secret),
                          headers={"User-Agent": UA}, timeout=20)
        assert r.status_code == 200, f"valid token request #{n} after recovery: HTTP {r.status_code} {r.text[:300]}"
    r = requests.post(base_url + "/consumer/login", json={"username": state.user_name, "password": state.user_password},
                      headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"consumer login after recovery: HTTP {r.status_code} {r.text[:300]}"
    with capsys.disabled():
        print(f"[outage] recovered: /health 200 {recovered_s:.1f}s after MariaDB was back "
              f"(outage {t0 - stopped_at:.1f}s); answers during the outage: " + "; ".join(lines[:len(lines) // 2]), flush=True)

    forget_client_addresses(db)
    workers_after = children_of(sup)
    exited = [line for line in read_from(server_log, log_offset).splitlines() if "worker exited" in line]
    trouble = [line for line in read_from(nginx_error_log(), nginx_offset).splitlines() if UPSTREAM_TROUBLE.search(line)]
    assert not bad, "during the outage:\n" + "\n".join(bad)
    assert not exited, "workers died during the outage:\n" + "\n".join(exited[:10])
    assert workers_after == workers_before, f"the supervisor's workers changed: {workers_before} -> {workers_after}"
    assert not trouble, "nginx lost upstream connections during the outage:\n" + "\n".join(trouble[:10])
