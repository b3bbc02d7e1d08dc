"""Logs never contain secrets (issue 5): passwords, app secrets, codes, refresh tokens, access tokens.

Runs last (name), after every other module has issued, refreshed, revoked and refused tokens through the pool,
after the fuzz run and the database outage (whose logged failures carried `fa-canary-` secrets). It does not rely
on what conftest remembers: the secrets come from the database (every app secret, access and refresh token,
authorization code and password hash there is), from the run's configuration (database password, project key),
from the shape of the passwords the helpers generate (`pw-` + 16 hex), and from requests this module sends
itself with distinctive `fa-canary-` passwords, secrets, codes and tokens, in well-formed and broken requests to
every endpoint. Checked: the server log, every other server log under FA_RUN_DIR (servers tests started
themselves), and nginx's error log.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import urllib.parse
from pathlib import Path

import requests

from conftest import env, q

UA = "fusio-auth-tests/1.0 (logs)"
CANARY = "fa-canary-"
GENERATED_PASSWORD = re.compile(r"pw-[0-9a-f]{16}")                       # conftest.create_user, test_fuzz's user
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{20,}")
REFRESH = re.compile(r"[0-9a-f]{20}-[0-9a-f]{48}-[0-9a-f]{10}")
BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")


def canary(what: str) -> str:
    return f"{CANARY}{what}-{secrets.token_hex(8)}"


def send_canaries(base_url: str, db) -> None:
    """Requests carrying canary secrets, well-formed and broken, to every endpoint that takes a secret."""
    app = q(db, "SELECT app_key FROM fusio_app WHERE status = 1 LIMIT 1")
    app_key = app[0]["app_key"] if app else "no-app"
    s = requests.Session()
    s.headers["User-Agent"] = UA
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    js = {"Content-Type": "application/json"}

    def basic(i: str, p: str) -> dict:
        return {"Authorization": "Basic " + base64.b64encode(f"{i}:{p}".encode()).decode()}

    def post(path: str, body, headers: dict, method: str = "POST") -> None:
        r = s.request(method, base_url + path, data=body, headers=headers, timeout=30)
        assert r.status_code < 500 or r.status_code == 503, f"{method} {path}: HTTP {r.status_code} {r.text[:200]}"
        for c in re.findall(CANARY + r"[a-z]+-[0-9a-f]{16}", r.text):
            # an echo in the answer would be a leak to whoever reads access logs of proxies; the issue asks for logs
            raise AssertionError(f"{method} {path} echoes the secret {c} in its answer: {r.text[:300]}")

    enc = urllib.parse.urlencode
    t = "/authorization/token"
    for grant in ("client_credentials", "password", "refresh_token", "authorization_code"):
        fields = {"grant_type": grant, "client_id": app_key, "client_secret": canary("secret"),
                  "username": "nobody-" + secrets.token_hex(3), "password": canary("password"),
                  "refresh_token": canary("refresh"), "code": canary("code"), "code_verifier": canary("verifier")}
        post(t, enc(fields), form)
        post(t, json.dumps(fields), js)
        post(t, enc(fields) + "&password=" + canary("password"), form)                     # duplicate
        post(t, enc(fields) + "&x=%zz", form)                                                # broken escape
        post(t, enc(fields) + "&x=%FF", form)                                                # not UTF-8
        post(t, json.dumps(fields)[:-1] + ',"x":', js)                                      # broken JSON
        post(t, enc(dict(fields, password=canary("password") + "p" * 5000)), form)          # over the limit
        post(t, enc({"grant_type": grant}), {**form, **basic(app_key, canary("secret"))})
        post(t, enc({"grant_type": grant}), {**form, **basic(canary("client"), canary("secret"))})
        post(t, enc({"grant_type": grant}), {**form, **basic(canary("client"), canary("secret") * 500)})
        post(t, enc(fields), {**form, **basic(canary("client"), canary("secret"))})         # conflicting
    login = {"username": "nobody-" + secrets.token_hex(3), "password": canary("password")}
    post("/consumer/login", json.dumps(login), js)
    post("/consumer/login", json.dumps(login)[:-2], js)
    post("/consumer/login", enc(login), form)
    post("/consumer/login", json.dumps({"refresh_token": canary("refresh")}), js, method="PUT")
    post("/consumer/login", json.dumps({"refresh_token": [canary("refresh")]}), js, method="PUT")
    for path in ("/authorization/whoami", "/authorization/revoke", "/consumer/authorize", "/authorization/introspect"):
        for bearer in (canary("bearer"), "eyJhbGciOiJIUzI1NiJ9." + canary("bearer") + ".x", canary("bearer") * 300):
            post(path, b"", {"Authorization": "Bearer " + bearer}, method="GET" if path.endswith(("whoami", "authorize")) else "POST")
    post("/authorization/revoke", enc({"token": canary("token")}), {**form, **basic(app_key, canary("secret"))})
    post("/authorization/introspect", enc({"token": canary("token")}), {**form, **basic(app_key, canary("secret"))})
    post("/authorization/introspect", enc({"token": canary("token"), "client_id": app_key,
                                            "client_secret": canary("secret")}), form)
    query = enc({"response_type": "code", "client_id": app_key, "state": "s"})
    post("/authorization/authorize?" + query, enc({"csrf": canary("csrf"), "username": "nobody",
                                                   "password": canary("password"), "allow": "Allow"}), form)
    post("/authorization/authorize?" + query, b"csrf=x&password=" + canary("password").encode() + b"&%zz", form)


def log_files() -> list[Path]:
    run = Path(env("FA_RUN_DIR"))
    files = {Path(env("FA_SERVER_LOG"))}
    files |= set(run.rglob("server.log"))                       # servers that tests started themselves
    files |= {p for p in run.rglob("error.log") if p.parent.name == "logs"}   # nginx error logs (not MariaDB's)
    return sorted(p for p in files if p.is_file())


def windows(text: str, lengths: set[int]) -> set[str]:
    """Every substring of the given lengths of every base64url/hex run of the text (a secret in the log lies
    inside such a run)."""
    out: set[str] = set()
    for run in set(re.findall(r"[A-Za-z0-9_-]{16,}", text)):
        for n in lengths:
            for i in range(len(run) - n + 1):
                out.add(run[i:i + n])
    return out


def test_logs_hold_no_secrets(base_url, db):
    send_canaries(base_url, db)
    time.sleep(0.5)   # log lines of the last answers are written before the answer, but let the pipes drain

    secrets_by_kind: dict[str, set[str]] = {"app secret": set(), "access token": set(), "refresh token": set(),
                                            "authorization code": set(), "password hash": set()}
    for r in q(db, "SELECT app_secret FROM fusio_app"):
        secrets_by_kind["app secret"].add(r["app_secret"])
    for r in q(db, "SELECT token, refresh FROM fusio_token"):
        if r["token"]:
            secrets_by_kind["access token"].add(r["token"])
        if r["refresh"]:
            secrets_by_kind["refresh token"].add(r["refresh"])
    for r in q(db, "SELECT code FROM fusio_app_code"):
        secrets_by_kind["authorization code"].add(r["code"])
    for r in q(db, "SELECT password FROM fusio_user WHERE password IS NOT NULL AND password <> ''"):
        secrets_by_kind["password hash"].add(r["password"])
    assert secrets_by_kind["access token"] and secrets_by_kind["app secret"], "no tokens or apps in the database?"

    # What must not appear, reduced to pieces that lie inside one base64url/hex run: a JWT's signature segment
    # (43 characters), a refresh token's middle part (48 hex), whole app secrets (64 hex) and codes.
    pieces: dict[str, str] = {}
    for token in secrets_by_kind["access token"]:
        pieces[token.rsplit(".", 1)[-1]] = "access token"
    for refresh in secrets_by_kind["refresh token"]:
        parts = refresh.split("-")
        pieces[max(parts, key=len) if len(parts) == 3 else refresh] = "refresh token"
    for secret in secrets_by_kind["app secret"]:
        pieces[secret] = "app secret"
    for code in secrets_by_kind["authorization code"]:
        pieces[code] = "authorization code"
    pieces = {p: k for p, k in pieces.items() if len(p) >= 16}
    lengths = {len(p) for p in pieces}
    verbatim = {env("FA_DB_PASSWORD"): "database password", env("FA_PROJECT_KEY"): "project key"}
    verbatim.update({h: "password hash" for h in secrets_by_kind["password hash"]})

    files = log_files()
    assert Path(env("FA_SERVER_LOG")) in files, f"no server log at {env('FA_SERVER_LOG')}"
    leaks: list[str] = []
    total = 0
    for f in files:
        text = f.read_text(errors="replace")
        total += len(text)
        found = windows(text, lengths) & pieces.keys()
        leaks += [f"{f}: {pieces[p]} ({p[:6]}…)" for p in sorted(found)]
        leaks += [f"{f}: the {what}" for value, what in verbatim.items() if value and value in text]
        for pattern, what in ((GENERATED_PASSWORD, "generated test password"), (JWT, "JWT"),
                              (REFRESH, "refresh-token-shaped value"), (BCRYPT, "bcrypt hash")):
            leaks += [f"{f}: {what} ({m[:12]}…)" for m in sorted(set(pattern.findall(text)))[:5]]
        if CANARY in text:
            i = text.index(CANARY)
            line = text[text.rfind("\n", 0, i) + 1:text.find("\n", i)]
            masked = re.sub(r"[A-Za-z0-9_-]{24,}", lambda m: m[0][:6] + "…", line)
            leaks.append(f"{f}: a canary secret sent by this test or the outage test: {masked[:300]}")
    assert not leaks, f"secrets in logs ({len(files)} files, {total} bytes):\n" + "\n".join(leaks[:40])
