"""POST /authorization/token with grant_type=client_credentials, end to end through nginx.

Behaviour: issue 2 item 5 and reference §3.3.3 (grant), §3.3.6 (scopes), §3.3.8 (response),
§3.9 (errors), §4.1/§4.2 (JWT, sub), §4.6 (fusio_token row), §4.7 (audit row), with the issue's
adjustments: unknown/missing grant_type -> 400 unsupported_grant_type, missing credentials ->
400 invalid_request, invalid_client -> 401 + `WWW-Authenticate: Basic realm="Fusio"` (also for body
credentials), Cache-Control: no-store / Pragma: no-cache, body credentials accepted, a `jti` claim
last, the secret compared exactly (not with the SQL collation), no access token in the audit row.
"""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.parse

import pytest
import requests

from conftest import (APP_KEY_RE, EXPIRE_P2D, App, User, basic, category_id, create_app, create_user, decode_jwt, env,
                      fusio_uuid, php_password_hash, post_token, q, run_cli, set_app_scopes, set_user_scopes,
                      sql_create_user, utcnow)
from grantlib import assert_oauth_error, assert_token_response, check_claims, token_row

UA = "fusio-auth-tests/1.0 (integration)"
CONSUMER_SUBS = sorted(["agent", "app", "event", "grant", "log", "page", "form", "payment", "plan", "scope",
                        "token", "webhook", "transaction", "account", "identity"])
# A Consumer-role user's available scopes in Fusio's order (§3.3.6 UserAvailable): user scopes by scope
# id (consumer 2, authorization 3, default 5, ...), each root scope directly followed by its
# sub-scopes ORDER BY name.
FULL_CONSUMER = ["consumer"] + [f"consumer.{s}" for s in CONSUMER_SUBS] + ["authorization", "default"]


# ----------------------------------------------------------------------------- helpers
def cc(token_url, auth=None, scope=None, extra=None, headers=None, **kw) -> requests.Response:
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    data.update(extra or {})
    h = {"User-Agent": UA}
    h.update(headers or {})
    return post_token(token_url, data=data, auth=auth, headers=h, **kw)


def check_row(db, row: dict, body: dict, user: User, app: App | None, name: str) -> None:
    assert row["tenant_id"] is None
    assert row["category_id"] == category_id(db, "authorization")
    assert row["app_id"] == (app.id if app else None)
    assert row["user_id"] == user.id
    assert row["status"] == 1
    assert row["name"] == name
    assert row["token"] == body["access_token"]
    assert row["refresh"] == body["refresh_token"]
    assert row["scope"] == body["scope"]
    assert row["ip"] == "127.0.0.1"
    assert (row["expire"] - row["date"]).total_seconds() in EXPIRE_P2D, (row["expire"], row["date"])
    assert abs((row["date"] - utcnow()).total_seconds()) <= 10, f"date {row['date']} is not UTC now ({utcnow()})"


def check_audit(db, row: dict, body: dict, user: User, app: App | None) -> None:
    audits = q(db, "SELECT * FROM fusio_audit WHERE ref_id = %s AND event = 'token.generate'", (row["id"],))
    assert len(audits) == 1, f"expected one token.generate audit row for token {row['id']}, got {len(audits)}"
    a = audits[0]
    assert a["tenant_id"] is None
    assert a["app_id"] == (app.id if app else 0)
    assert a["user_id"] == user.id
    assert a["message"] == "Generated token"
    assert a["ip"] == "127.0.0.1"
    assert abs((a["date"] - utcnow()).total_seconds()) <= 10
    assert body["access_token"] not in (a["content"] or ""), "the audit row must not store the access token"
    content = json.loads(a["content"])
    assert "accessToken" not in content
    assert content.get("tokenId") == row["id"], content
    assert content.get("scope") == body["scope"].split(","), content


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def user(consumer_user) -> User:
    return consumer_user


@pytest.fixture(scope="module")
def app(consumer_app) -> App:
    return consumer_app


# ----------------------------------------------------------------------------- success
def test_jwt_sub_helper_matches_reference_vectors():
    # guards the test helper itself (reference §4.2 vectors)
    assert fusio_uuid("http://127.0.0.1-2") == "2a11f995-1306-5494-aaa5-51c74d882e07"
    assert fusio_uuid("http://127.0.0.1-1") == "b2493ea4-c99b-5cc9-8004-4fdbe90f674b"


@pytest.mark.webserver
def test_basic_auth_success(token_url, app_url, project_key, db, user, app):
    r = cc(token_url, auth=(app.key, app.secret))
    body = assert_token_response(r)
    assert body["scope"] == ",".join(FULL_CONSUMER), "no scope requested: all of the user's scopes ∩ app"
    jwt = decode_jwt(body["access_token"], project_key)
    check_claims(jwt, app_url, user, app, body["expires_in"])
    assert APP_KEY_RE.match(jwt.claims["aud"])
    row = token_row(db, body["access_token"])
    check_row(db, row, body, user, app, UA)
    check_audit(db, row, body, user, app)


@pytest.mark.webserver
def test_body_credentials_success(token_url, app_url, project_key, db, user, app):
    r = cc(token_url, extra={"client_id": app.key, "client_secret": app.secret}, scope="authorization")
    body = assert_token_response(r)
    assert body["scope"] == "authorization"
    check_claims(decode_jwt(body["access_token"], project_key), app_url, user, app, body["expires_in"])
    row = token_row(db, body["access_token"])
    check_row(db, row, body, user, app, UA)
    check_audit(db, row, body, user, app)


def test_two_tokens_differ(token_url, project_key, app):
    a = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope="authorization"))
    b = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope="authorization"))
    assert a["access_token"] != b["access_token"]
    assert a["refresh_token"] != b["refresh_token"]
    ja, jb = decode_jwt(a["access_token"], project_key), decode_jwt(b["access_token"], project_key)
    assert ja.claims["jti"] != jb.claims["jti"]


def test_user_agent_is_cut_at_250(token_url, db, app):
    r = cc(token_url, auth=(app.key, app.secret), scope="authorization", headers={"User-Agent": "A" * 300})
    body = assert_token_response(r)
    assert token_row(db, body["access_token"])["name"] == "A" * 250


def test_no_user_agent_gives_na(token_url, db, app):
    # http.client sends no User-Agent of its own (requests/urllib3 would add one)
    u = urllib.parse.urlsplit(token_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    try:
        conn.request("POST", u.path, body="grant_type=client_credentials&scope=authorization", headers={
            "Authorization": basic(app.key, app.secret), "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        status, raw = resp.status, resp.read()
    finally:
        conn.close()
    assert status == 200, raw[:300]
    body = json.loads(raw)
    assert token_row(db, body["access_token"])["name"] == "n/a"


# ----------------------------------------------------------------------------- user credentials fallback
@pytest.mark.parametrize("by", ["name", "email"])
def test_user_credentials_fallback(by, token_url, app_url, project_key, db, user):
    client_id = user.name if by == "name" else user.email
    r = cc(token_url, auth=(client_id, user.password))
    body = assert_token_response(r)
    assert body["scope"] == ",".join(FULL_CONSUMER)
    jwt = decode_jwt(body["access_token"], project_key)
    assert "aud" not in jwt.claims
    check_claims(jwt, app_url, user, None, body["expires_in"])
    row = token_row(db, body["access_token"])
    assert row["app_id"] is None
    check_row(db, row, body, user, None, UA)
    check_audit(db, row, body, user, None)


def test_user_credentials_fallback_in_body(token_url, db, user):
    r = cc(token_url, extra={"client_id": user.name, "client_secret": user.password}, scope="default")
    body = assert_token_response(r)
    assert body["scope"] == "default"
    assert token_row(db, body["access_token"])["app_id"] is None


@pytest.mark.parametrize("prefix,cost", [("$2y$", 10), ("$2a$", 10), ("$2b$", 4), ("$2y$", 11)])
def test_user_fallback_accepts_php_hashes(prefix, cost, token_url, db):
    # §5.1: PHP password_hash output ($2y$, cost 10 before PHP 8.4), and $2a$/$2b$ of any cost
    password = "php-" + secrets.token_hex(6)
    h = prefix + php_password_hash(password, cost)[4:]
    u = sql_create_user(db, h)
    body = assert_token_response(cc(token_url, auth=(u.name, password)))
    assert body["scope"] == "authorization,default"
    assert token_row(db, body["access_token"])["user_id"] == u.id
    assert_oauth_error(cc(token_url, auth=(u.name, password + "!")), 401, "invalid_client", (password,))


@pytest.mark.parametrize("status", [0, 2])
def test_user_fallback_needs_an_active_user(status, token_url, db):
    password = "php-" + secrets.token_hex(6)
    u = sql_create_user(db, php_password_hash(password, 4), status=status)
    assert_oauth_error(cc(token_url, auth=(u.name, password)), 401, "invalid_client", (password,))


def test_user_fallback_without_password(token_url, db):
    u = sql_create_user(db, None)
    assert_oauth_error(cc(token_url, auth=(u.name, "anything")), 401, "invalid_client")


# ----------------------------------------------------------------------------- scopes (§3.3.6)
@pytest.fixture(scope="module")
def root_app(user) -> App:
    """An app of the consumer user holding the root scopes in the order default, authorization, consumer."""
    a = create_app(user, "default,authorization,consumer")
    return a


@pytest.mark.parametrize("requested,expected", [
    ("default,authorization", "authorization,default"),        # user's order, not the request's
    ("default authorization", "authorization,default"),        # space separated
    ("consumer.token,consumer.app", "consumer.app,consumer.token"),  # root scope of the app expanded
    ("consumer.token,nosuchscope,default", "consumer.token,default"),  # unknown names dropped
    ("authorization, default", "authorization"),               # no trimming: " default" matches nothing
    ("consumer", "consumer"),                                  # a root name grants only itself
])
def test_scope_resolution(requested, expected, token_url, db, root_app):
    body = assert_token_response(cc(token_url, auth=(root_app.key, root_app.secret), scope=requested))
    assert body["scope"] == expected
    assert token_row(db, body["access_token"])["scope"] == expected


def test_scope_intersection_with_app(token_url, db, user):
    app = create_app(user, "authorization")
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope="default,authorization"))
    assert body["scope"] == "authorization", "default is not an app scope"
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret)))
    assert body["scope"] == "authorization", "no scope requested: user's scopes ∩ app"


def test_scope_intersection_with_user(token_url, db):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["default", "authorization"])   # the user lost consumer and backend never had
    app = create_app(u, "authorization,default")
    set_app_scopes(db, app.id, ["backend", "consumer", "default", "authorization"])
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope="backend,consumer.app,default"))
    assert body["scope"] == "default"
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret)))
    assert body["scope"] == "authorization,default"
    r = cc(token_url, auth=(app.key, app.secret), scope="backend")
    assert_oauth_error(r, 400, "invalid_scope", (app.secret,))


def test_openid_scope_adds_id_token(token_url, db):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "openid"])
    app = create_app(u, "authorization")
    set_app_scopes(db, app.id, ["authorization", "openid"])
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope="openid,authorization"))
    assert body["scope"] == "authorization,openid"
    assert body["id_token"] == body["access_token"]


def test_unknown_scope_only(token_url, app):
    r = cc(token_url, auth=(app.key, app.secret), scope="nosuchscope")
    assert_oauth_error(r, 400, "invalid_scope", (app.secret,))


# ----------------------------------------------------------------------------- errors
def test_missing_grant_type(token_url, app):
    r = post_token(token_url, data={"scope": "authorization"}, auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "unsupported_grant_type", (app.secret,))


@pytest.mark.parametrize("grant", ["foo", "implicit", "CLIENT_CREDENTIALS", ""])
def test_unknown_grant_type(grant, token_url, app):
    r = post_token(token_url, data={"grant_type": grant}, auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "unsupported_grant_type", (app.secret,))


def test_no_credentials(token_url):
    assert_oauth_error(cc(token_url), 400, "invalid_request")


@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
def test_wrong_secret(where, token_url, app):
    wrong = "0" * 64 if app.secret != "0" * 64 else "1" * 64
    r = cc_with(token_url, app.key, wrong, where)
    assert_oauth_error(r, 401, "invalid_client", (app.secret, wrong))


@pytest.mark.parametrize("where", ["basic", "body"])
def test_unknown_key(where, token_url, app):
    r = cc_with(token_url, "00000000-0000-4000-8000-000000000000", app.secret, where)
    assert_oauth_error(r, 401, "invalid_client", (app.secret,))


@pytest.mark.parametrize("where", ["basic", "body"])
def test_secret_differing_in_case(where, token_url, app):
    # MariaDB's _unicode_ci collation would match this in SQL; fusio-auth compares the bytes itself
    upper = app.secret.upper()
    assert upper != app.secret
    r = cc_with(token_url, app.key, upper, where)
    assert_oauth_error(r, 401, "invalid_client", (app.secret, upper))


def test_inactive_app(token_url, db, user):
    a = create_app(user, "authorization")
    assert_token_response(cc(token_url, auth=(a.key, a.secret)))
    q(db, "UPDATE fusio_app SET status = 3 WHERE id = %s", (a.id,))
    for where in ("basic", "body"):
        assert_oauth_error(cc_with(token_url, a.key, a.secret, where), 401, "invalid_client", (a.secret,))


def test_without_the_procedure(token_url, app_url, project_key, db, user):
    """Where `migrate` could not create `fusioauth_issue_token` (no CREATE ROUTINE privilege), the same rows are
    written by separate statements in one transaction, behind the same status check. A thread that finds the
    procedure missing keeps to that path, so later tests also run some requests through it."""
    a = create_app(user, "authorization")
    q(db, "DROP PROCEDURE fusioauth_issue_token")
    try:
        r = cc(token_url, auth=(a.key, a.secret))
        body = assert_token_response(r)
        row = token_row(db, body["access_token"])
        check_row(db, row, body, user, a, UA)
        check_audit(db, row, body, user, a)
        check_claims(decode_jwt(body["access_token"], project_key), app_url, user, a, body["expires_in"])
        q(db, "UPDATE fusio_app SET status = 3 WHERE id = %s", (a.id,))
        assert_oauth_error(cc(token_url, auth=(a.key, a.secret)), 401, "invalid_client", (a.secret,))
        assert q(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE app_id = %s", (a.id,))[0]["n"] == 1
    finally:
        run_cli("migrate", "--env", env("FA_ENV_FILE"), timeout=120)
    assert q(db, "SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
                 "AND ROUTINE_NAME = 'fusioauth_issue_token'")[0]["n"] == 1


@pytest.mark.parametrize("where", ["basic", "body"])
def test_wrong_user_password(where, token_url, user):
    r = cc_with(token_url, user.name, user.password + "x", where)
    assert_oauth_error(r, 401, "invalid_client", (user.password,))


@pytest.mark.webserver
def test_body_too_large(token_url, app):
    # the web server (nginx: client_max_body_size 64k; Apache: the Content-Length check in
    # apache/fusio-auth-vhost-snippet.conf) and the server (64 KiB) all reject it with 413
    r = post_token(token_url, data={"grant_type": "client_credentials", "pad": "x" * 70000},
                   auth=(app.key, app.secret))
    assert_oauth_error(r, 413, "invalid_request", (app.secret,))


@pytest.mark.webserver
def test_get_token_endpoint_is_405(token_url):
    r = requests.get(token_url, timeout=10)
    assert r.status_code == 405, r.text
    allow = [m.strip() for m in r.headers.get("Allow", "").split(",")]
    assert "POST" in allow, r.headers
    r.json()  # a JSON body


@pytest.mark.webserver
def test_unknown_path_is_404_json(base_url):
    r = requests.get(base_url + "/no/such/path", timeout=10)
    assert r.status_code == 404, r.text
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert isinstance(r.json(), dict)


@pytest.mark.webserver
def test_health(base_url):
    r = requests.get(base_url + "/health", timeout=10)
    assert r.status_code == 200
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert r.json() == {"status": "ok"}


def cc_with(token_url, client_id, client_secret, where) -> requests.Response:
    if where == "basic":
        return cc(token_url, auth=(client_id, client_secret))
    return cc(token_url, extra={"client_id": client_id, "client_secret": client_secret})
