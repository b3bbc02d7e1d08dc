"""Assertions and SQL fixtures shared by the grant tests (test_grants, test_consumer_login,
test_concurrency, test_oauth_client_library). Not a test module: fixtures live in conftest.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import time

import requests

from conftest import (EXPIRE_P2D, JTI_RE, JWT_HEADER_B64, REFRESH_RE, App, User, category_id, fusio_uuid,
                      post_token, q, q1, utcnow)

UA = "fusio-auth-tests/1.0 (grants)"
DB_TIME = "%Y-%m-%d %H:%M:%S"
CONSUMED = dt.datetime(1970, 1, 1, 0, 0, 0)   # the date a consumed code row gets
CONSUMER_SUBS = sorted(["agent", "app", "event", "grant", "log", "page", "form", "payment", "plan", "scope",
                        "token", "webhook", "transaction", "account", "identity"])
# A Consumer-role user's available scopes in Fusio's order (§3.3.6): consumer (id 2) with its sub-scopes by
# name, authorization (3), default (5).
FULL_CONSUMER = ["consumer"] + [f"consumer.{s}" for s in CONSUMER_SUBS] + ["authorization", "default"]
LEAKS = ("SQL", "SELECT", "mysql", "MariaDB", "$2y$", "Traceback")


# ----------------------------------------------------------------------------- OAuth responses
def assert_no_store(r: requests.Response) -> None:
    assert "no-store" in r.headers.get("Cache-Control", ""), f"Cache-Control missing: {dict(r.headers)}"
    assert r.headers.get("Pragma") == "no-cache", f"Pragma missing: {dict(r.headers)}"


def assert_token_response(r: requests.Response) -> dict:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert_no_store(r)
    body = r.json()
    assert isinstance(body.get("access_token"), str) and body["access_token"], body
    assert body.get("token_type") == "bearer", body
    assert body.get("expires_in") in EXPIRE_P2D, body
    assert isinstance(body.get("refresh_token"), str) and REFRESH_RE.match(body["refresh_token"]), body
    assert isinstance(body.get("scope"), str) and body["scope"], body
    allowed = {"access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token"}
    assert set(body) <= allowed, f"unexpected members: {set(body) - allowed}"
    if "openid" in body["scope"].split(","):
        assert body.get("id_token") == body["access_token"], "§3.3.8: id_token is the access token"
    else:
        assert "id_token" not in body, body
    return body


def assert_oauth_error(r: requests.Response, status: int, error: str, secrets_: tuple[str, ...] = (),
                       description: str | None = None) -> dict:
    assert r.status_code == status, f"expected {status} {error}, got HTTP {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert_no_store(r)
    body = r.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert isinstance(body["error_description"], str) and body["error_description"], body
    if description is not None:
        assert body["error_description"] == description, body
    for bad in LEAKS + tuple(s for s in secrets_ if s):
        assert bad.lower() not in r.text.lower(), f"error body leaks {bad!r}: {r.text}"
    if status == 401:
        assert r.headers.get("WWW-Authenticate") == 'Basic realm="Fusio"', r.headers
    else:
        assert "WWW-Authenticate" not in r.headers, r.headers
    return body


def assert_generic_error(r: requests.Response, status: int, message: str | None = None) -> dict:
    """Fusio's generic error body of operations such as /consumer/login (§3.0)."""
    assert r.status_code == status, f"expected {status}, got HTTP {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    assert body.get("success") is False, body
    assert isinstance(body.get("title"), str), body
    assert isinstance(body.get("message"), str) and body["message"], body
    if message is not None:
        assert body["message"] == message, body
    for bad in LEAKS:
        assert bad.lower() not in r.text.lower(), f"error body leaks {bad!r}: {r.text}"
    return body


def token_request(url: str, data: dict, auth: tuple[str, str] | None = None, json_body: bool = False,
                  headers: dict | None = None, session: requests.Session | None = None) -> requests.Response:
    """POST /authorization/token as a form (default) or as a JSON body."""
    h = {"User-Agent": UA}
    h.update(headers or {})
    if json_body:
        h["Content-Type"] = "application/json"
        return post_token(url, data=json.dumps(data), auth=auth, headers=h, session=session)
    return post_token(url, data=data, auth=auth, headers=h, session=session)


# ----------------------------------------------------------------------------- JWT and rows
def check_claims(jwt, app_url: str, user: User, app: App | None, expires_in: int) -> None:
    assert jwt.header_b64 == JWT_HEADER_B64 and jwt.header_raw == b'{"typ":"JWT","alg":"HS256"}'
    assert jwt.signature_ok, "HS256 signature does not verify with APP_PROJECT_KEY"
    c = jwt.claims
    order = ["iss", "sub", "iat", "exp", "name", "preferred_username"]
    if app is not None:
        order.append("aud")
    if user.email:
        order.append("email")
    order.append("jti")
    assert list(c) == order, f"claim order {list(c)} != {order}"
    assert c["iss"] == app_url
    assert c["sub"] == fusio_uuid(f"{app_url}-{user.id}")
    assert isinstance(c["iat"], int) and abs(c["iat"] - time.time()) <= 10
    assert c["exp"] - c["iat"] == expires_in
    assert c["name"] == user.name and c["preferred_username"] == user.name
    if app is not None:
        assert c["aud"] == app.key
    if user.email:
        assert c["email"] == user.email
    assert JTI_RE.match(c["jti"]), c["jti"]


def token_row(db, access_token: str) -> dict:
    row = q1(db, "SELECT * FROM fusio_token WHERE token = %s", (access_token,))
    assert row is not None, "no fusio_token row holds the access token"
    return row


def row_by_refresh(db, refresh: str) -> dict:
    row = q1(db, "SELECT * FROM fusio_token WHERE refresh = %s", (refresh,))
    assert row is not None, "no fusio_token row holds the refresh token"
    return row


def check_row(db, row: dict, access_token: str, refresh_token: str, scope: str, user: User, app: App | None,
              name: str, category: str = "authorization") -> None:
    assert row["tenant_id"] is None
    assert row["category_id"] == category_id(db, category), f"category {row['category_id']} is not {category}"
    assert row["app_id"] == (app.id if app else None)
    assert row["user_id"] == user.id
    assert row["status"] == 1
    assert row["name"] == name
    assert row["token"] == access_token
    assert row["refresh"] == refresh_token
    assert row["scope"] == scope
    assert row["ip"] == "127.0.0.1"
    assert (row["expire"] - row["date"]).total_seconds() in EXPIRE_P2D, (row["expire"], row["date"])
    assert abs((row["date"] - utcnow()).total_seconds()) <= 10, f"date {row['date']} is not UTC now ({utcnow()})"


def statuses(db, user_id: int, app_id: int | None) -> dict[int, int]:
    """token id -> status of every fusio_token row of a user (and app, NULL included)."""
    rows = q(db, "SELECT id, status FROM fusio_token WHERE user_id = %s AND app_id <=> %s", (user_id, app_id))
    return {r["id"]: r["status"] for r in rows}


def set_token_date(db, refresh: str, date: dt.datetime, expire: dt.datetime | None = None) -> None:
    with db.cursor() as cur:
        if expire is None:
            cur.execute("UPDATE fusio_token SET date = %s WHERE refresh = %s", (date.strftime(DB_TIME), refresh))
        else:
            cur.execute("UPDATE fusio_token SET date = %s, expire = %s WHERE refresh = %s",
                        (date.strftime(DB_TIME), expire.strftime(DB_TIME), refresh))
        assert cur.rowcount == 1


# ----------------------------------------------------------------------------- authorization codes
def new_code() -> str:
    return secrets.token_hex(8)   # 16 lowercase hex, §4.4


def insert_code(db, app: App, user: User, scope: str, redirect_uri: str | None = None,
                date: dt.datetime | None = None, challenge: str | None = None, method: str | None = None) -> str:
    """A fusio_app_code row as the authorize step writes it (date UTC), with an optional PKCE challenge."""
    code = new_code()
    date = date or utcnow()
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_app_code (app_id, user_id, code, redirect_uri, scope, date) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (app.id, user.id, code, redirect_uri, scope, date.strftime(DB_TIME)))
        code_id = cur.lastrowid
        if challenge is not None:
            cur.execute("INSERT INTO fusioauth_code_challenge (code_id, challenge, method, created) "
                        "VALUES (%s, %s, %s, UTC_TIMESTAMP())", (code_id, challenge, method or "S256"))
    return code


def code_row(db, code: str) -> dict:
    row = q1(db, "SELECT * FROM fusio_app_code WHERE code = %s", (code,))
    assert row is not None
    return row


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    """(verifier, challenge) per RFC 7636: 43-128 unreserved characters; S256 = BASE64URL(SHA256(verifier))."""
    verifier = secrets.token_urlsafe(48)   # 64 characters of [A-Za-z0-9_-]
    if method == "plain":
        return verifier, verifier
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


# ----------------------------------------------------------------------------- scopes, users, plans
def create_scopes(db, names: list[str], category: str = "default") -> None:
    cat = category_id(db, category)
    for n in names:
        q(db, "INSERT INTO fusio_scope (category_id, tenant_id, status, name, description) "
              "VALUES (%s, NULL, 1, %s, '')", (cat, n))


def long_scope_names(count: int = 40) -> list[str]:
    """`count` new 32-character scope names (the column maximum): 40 of them join to 1319 characters."""
    prefix = "ls" + secrets.token_hex(4)
    return [f"{prefix}{i:02d}".ljust(32, "x") for i in range(count)]


def create_plan_with_scopes(db, scope_names: list[str]) -> int:
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_plan (tenant_id, status, name, description, price, points) "
                    "VALUES (NULL, 1, %s, '', 0, 0)", ("plan-" + secrets.token_hex(4),))
        plan_id = cur.lastrowid
    for n in scope_names:
        q(db, "INSERT INTO fusio_plan_scope (plan_id, scope_id) SELECT %s, id FROM fusio_scope "
              "WHERE tenant_id IS NULL AND name = %s", (plan_id, n))
    return plan_id


def plan_scopes_read_for_app(db, app_id: int) -> set[str]:
    """The plan scopes Fusio adds to an app's: it reads the plan of the *user* whose id is the app's id (reference,
    quirk 20, kept for compatibility). Whether some earlier test's user has that id, and a plan, depends on which
    tests ran before, so tests of app scopes ask."""
    rows = q(db, "SELECT s.name FROM fusio_user u JOIN fusio_plan_scope ps ON ps.plan_id = u.plan_id "
                 "JOIN fusio_scope s ON s.id = ps.scope_id WHERE u.tenant_id IS NULL AND u.id = %s", (app_id,))
    return {r["name"] for r in rows}


def set_user_status(db, user_id: int, status: int) -> None:
    q(db, "UPDATE fusio_user SET status = %s WHERE id = %s", (status, user_id))


def set_app_status(db, app_id: int, status: int) -> None:
    q(db, "UPDATE fusio_app SET status = %s WHERE id = %s", (status, app_id))


def make_remote(db, user_id: int, app_id: int) -> None:
    """Give the user an identity (social login), which blocks password login (§5.2 step 4)."""
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_identity (tenant_id, status, app_id, role_id, name, icon, class, config, "
                    "allow_create, insert_date) VALUES (NULL, 1, %s, NULL, %s, 'bi-github', %s, NULL, 1, "
                    "UTC_TIMESTAMP())", (app_id, "idp-" + secrets.token_hex(4), r"Fusio\Impl\Provider\Identity\Github"))
        identity_id = cur.lastrowid
    q(db, "UPDATE fusio_user SET identity_id = %s, remote_id = %s WHERE id = %s",
      (identity_id, secrets.token_hex(6), user_id))
