"""POST /authorization/revoke (Fusio's form and RFC 7009) and POST /authorization/introspect (RFC 7662), issue 4,
reference §3.5, §4.7, end to end through nginx.

Revoke, Fusio's form: no `token` parameter; the request's own bearer token (which must pass §3.8 and grant
`authorization` via operation authorization.revoke) is set to status 2, an audit row token.remove is written,
200 {"success": true}. RFC 7009: `token=<access or refresh token>` plus client authentication (Basic or body);
the token is revoked if it belongs to that client's app; 200 {} whether or not it was known; bad client
credentials are 401 invalid_client with `WWW-Authenticate: Basic realm="Fusio"`.

Introspect: client authentication required; a live token of the caller's own app gives active true with
scope (the row's comma list), client_id, username, sub, exp, iat, iss (the JWT's) and token_type bearer; anything
else exactly {"active": false}. Every response of both endpoints has `Cache-Control: no-store`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time

import pytest
import requests

from conftest import App, User, create_app, create_user, decode_jwt, q, q1, sql_create_user, utcnow
from resourcelib import (INTROSPECT, REVOKE, TOKEN, UA, assert_bearer_401, assert_generic, assert_invalid_client,
                         assert_json, assert_no_store, bearer, check_cors, consumer_login, insert_token_row,
                         jwt_encode, mint_php_token, operation_status, password_token, php_claims, php_lookup, poll, poll_status,
                         settle, token_status, whoami)


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,consumer,default")


@pytest.fixture(scope="module")
def other_app(owner) -> App:
    return create_app(owner, "authorization,consumer,default")


@pytest.fixture()
def person() -> User:
    return create_user("Consumer")


def fusio_revoke(base_url, token: str | None, headers: dict | None = None, data=None) -> requests.Response:
    h = {"User-Agent": UA}
    if token is not None:
        h.update(bearer(token))
    h.update(headers or {})
    return requests.post(base_url + REVOKE, headers=h, data=data, timeout=20)


def client_post(base_url, path: str, data: dict, client: tuple[str, str] | None, where: str = "basic"
                ) -> requests.Response:
    data = dict(data)
    auth = None
    if client is not None and where == "basic":
        auth = client
    elif client is not None:
        data.update(client_id=client[0], client_secret=client[1])
    return requests.post(base_url + path, data=data, auth=auth, headers={"User-Agent": UA}, timeout=20)


def rfc_revoke(base_url, token: str, client, where="basic", hint: str | None = None) -> requests.Response:
    data = {"token": token}
    if hint is not None:
        data["token_type_hint"] = hint
    return client_post(base_url, REVOKE, data, client, where)


def introspect(base_url, token: str, client, where="basic") -> requests.Response:
    return client_post(base_url, INTROSPECT, {"token": token}, client, where)


def assert_revoke_401(r: requests.Response, app_url: str) -> None:
    """A refused bearer token at revoke: the generic 401 with the Bearer challenge, and no-store like every
    revoke/introspect response."""
    assert_bearer_401(r, app_url)
    assert_no_store(r)


def assert_empty_object(r: requests.Response) -> None:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}"
    assert assert_json(r) == {}, r.text[:300]
    assert_no_store(r)


def assert_inactive(r: requests.Response) -> None:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}"
    assert assert_json(r) == {"active": False}, r.text[:300]
    assert_no_store(r)


# ============================================================================= revoke: Fusio's form
@pytest.mark.webserver
@pytest.mark.parametrize("source", ["password_grant", "consumer_login"])
def test_fusio_revoke_own_token(source, base_url, app_url, db, app, person):
    if source == "password_grant":
        t = password_token(base_url, app, person, "authorization,default")
        token, refresh, app_id = t["access_token"], t["refresh_token"], app.id
    else:
        t = consumer_login(base_url, person, ["authorization", "default"])
        token, refresh, app_id = t["token"], t["refresh_token"], None
    other = password_token(base_url, app, person, "authorization")["access_token"]     # a sibling stays
    row = q1(db, "SELECT id FROM fusio_token WHERE token = %s", (token,))
    assert whoami(base_url, token).status_code == 200

    r = fusio_revoke(base_url, token)
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}"
    assert assert_json(r) == {"success": True}
    assert_no_store(r)
    assert token_status(db, token) == 2
    assert php_lookup(db, token) == [], "PHP no longer finds the revoked token"
    assert token_status(db, other) == 1, "only the presented token is revoked"
    assert_bearer_401(whoami(base_url, token), app_url)

    audits = [a for a in q(db, "SELECT * FROM fusio_audit WHERE event = 'token.remove' AND user_id = %s",
                           (person.id,)) if a["content"] and json.loads(a["content"]) == {"tokenId": row["id"]}]
    assert len(audits) == 1, "one audit row token.remove with content {\"tokenId\": N}"
    a = audits[0]
    assert a["message"] == "Removed token" and a["tenant_id"] is None
    assert a["app_id"] == (app_id or 0)
    assert a["ip"] == "127.0.0.1"
    assert abs((a["date"] - utcnow()).total_seconds()) <= 10

    # the revoked token's refresh token is dead as well
    rr = requests.post(base_url + TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh},
                       auth=(app.key, app.secret) if app_id else (person.name, person.password),
                       headers={"User-Agent": UA}, timeout=20)
    assert rr.status_code == 400 and rr.json().get("error") == "invalid_grant", rr.text[:300]


def test_fusio_revoke_php_minted_token(base_url, app_url, project_key, db, app):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, app, "authorization")
    r = fusio_revoke(base_url, m.token)
    assert r.status_code == 200 and r.json() == {"success": True}, r.text[:300]
    assert token_status(db, m.token) == 2


def test_fusio_revoke_legacy_opaque_token(base_url, app_url, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    token = secrets.token_hex(32)
    insert_token_row(db, token, u, None, "authorization")
    r = fusio_revoke(base_url, token)
    assert r.status_code == 200 and r.json() == {"success": True}, r.text[:300]
    assert token_status(db, token) == 2
    assert_bearer_401(whoami(base_url, token), app_url)


def test_fusio_revoke_twice(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    assert fusio_revoke(base_url, m.token).status_code == 200
    assert_revoke_401(fusio_revoke(base_url, m.token), app_url)


@pytest.mark.parametrize("scope", ["default", "consumer", "openid"])
def test_fusio_revoke_needs_a_scope_granting_revoke(scope, base_url, app_url, project_key, db):
    # authorization.revoke is granted by `authorization` (fusio_scope_operation); openid only opens whoami
    u = sql_create_user(db, None, scopes=("authorization", "default", "openid", "consumer"))
    m = mint_php_token(db, project_key, app_url, u, None, scope)
    assert_revoke_401(fusio_revoke(base_url, m.token), app_url)
    assert token_status(db, m.token) == 1


def test_fusio_revoke_without_token(base_url, app_url):
    assert_revoke_401(fusio_revoke(base_url, None), app_url)


def test_fusio_revoke_refused_tokens_stay(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    now = int(time.time())
    m = mint_php_token(db, project_key, app_url, u, None, "authorization", iat=now - 7200, exp=now - 10)
    assert_revoke_401(fusio_revoke(base_url, m.token), app_url)
    assert token_status(db, m.token) == 1


def test_revoke_operation_switched_off_answers_404(base_url, app_url, project_key, db, app, person):
    u = sql_create_user(db, None, scopes=("authorization",))

    def fresh():
        return mint_php_token(db, project_key, app_url, u, None, "authorization")

    try:
        with operation_status(db, "authorization.revoke", 0):
            def attempt():
                m = fresh()                      # a fresh token per attempt: a stale cache may still revoke one
                r = fusio_revoke(base_url, m.token)
                return (r, m) if r.status_code == 404 else None
            r, m = poll(attempt, "revoke answers 404 while authorization.revoke has status 0")
            assert_generic(r, 404)
            assert token_status(db, m.token) == 1, "a 404 revokes nothing"
            # the RFC 7009 form of the same endpoint is switched off as well
            t = password_token(base_url, app, person, "authorization")
            r = poll_status(lambda: rfc_revoke(base_url, t["access_token"], (app.key, app.secret)), 404,
                            "RFC 7009 revoke answers 404")
            assert_generic(r, 404)
    finally:
        settle(lambda: fusio_revoke(base_url, fresh().token).status_code == 200,
               "revoke is back after the row is restored")


# ============================================================================= revoke: RFC 7009
@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
def test_rfc7009_revokes_a_token_of_the_client(which, where, base_url, app_url, db, app, person):
    t = password_token(base_url, app, person, "authorization,default")
    sibling = password_token(base_url, app, person, "authorization")
    assert whoami(base_url, t["access_token"]).status_code == 200
    assert_empty_object(rfc_revoke(base_url, t[which], (app.key, app.secret), where))
    assert token_status(db, t["access_token"]) == 2
    assert token_status(db, sibling["access_token"]) == 1, "only that token"
    assert_bearer_401(whoami(base_url, t["access_token"]), app_url)
    rr = requests.post(base_url + TOKEN, data={"grant_type": "refresh_token", "refresh_token": t["refresh_token"]},
                       auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=20)
    assert rr.status_code == 400 and rr.json().get("error") == "invalid_grant", rr.text[:300]


@pytest.mark.parametrize("which,hint", [("access_token", "refresh_token"), ("refresh_token", "access_token"),
                                        ("access_token", "access_token"), ("refresh_token", "refresh_token"),
                                        ("access_token", "no_such_hint")])
def test_rfc7009_hint_is_only_a_hint(which, hint, base_url, db, app, person):
    # RFC 7009 §2.1: a wrong hint makes the server extend its search across all token types
    t = password_token(base_url, app, person, "authorization")
    r = rfc_revoke(base_url, t[which], (app.key, app.secret), hint=hint)
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 400:        # RFC 7009 §2.2.1 allows unsupported_token_type only for unknown hint values
        assert hint == "no_such_hint" and r.json().get("error") == "unsupported_token_type", r.text[:300]
        assert token_status(db, t["access_token"]) == 1
    else:
        assert r.json() == {}
        assert token_status(db, t["access_token"]) == 2


def test_rfc7009_php_minted_token(base_url, app_url, project_key, db, app):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, app, "authorization")
    assert_empty_object(rfc_revoke(base_url, m.token, (app.key, app.secret)))
    assert token_status(db, m.token) == 2
    m2 = mint_php_token(db, project_key, app_url, u, app, "authorization")
    assert_empty_object(rfc_revoke(base_url, m2.refresh, (app.key, app.secret), "body"))
    assert token_status(db, m2.token) == 2


@pytest.mark.parametrize("token", ["0" * 20 + "-" + "0" * 48 + "-" + "0" * 10, "x.y.z", "unknown-token", "",
                                   "a" * 600])
def test_rfc7009_unknown_token_is_200(token, base_url, app, person):
    live = password_token(base_url, app, person, "authorization")
    r = rfc_revoke(base_url, token, (app.key, app.secret))
    if token == "":      # an empty token parameter may be refused (or read as Fusio's form), never with a 5xx
        assert r.status_code in (200, 400, 401), r.text[:300]
        assert_no_store(r)
    else:
        assert_empty_object(r)
    assert whoami(base_url, live["access_token"]).status_code == 200, "nothing else was revoked"


@pytest.mark.parametrize("kind", ["other_app", "appless", "other_apps_refresh"])
def test_rfc7009_does_not_revoke_tokens_of_others(kind, base_url, db, app, other_app, person):
    if kind == "appless":
        t = consumer_login(base_url, person, ["authorization"])
        token, access = t["token"], t["token"]
    else:
        t = password_token(base_url, other_app, person, "authorization")
        access = t["access_token"]
        token = t["refresh_token"] if kind == "other_apps_refresh" else access
    assert_empty_object(rfc_revoke(base_url, token, (app.key, app.secret)))
    assert token_status(db, access) == 1, "a client can revoke only its own app's tokens"


@pytest.mark.parametrize("where", ["basic", "body"])
@pytest.mark.parametrize("case", ["wrong_secret", "unknown_client"])
def test_rfc7009_bad_client(case, where, base_url, db, app, person):
    t = password_token(base_url, app, person, "authorization")
    client = {"wrong_secret": (app.key, "f" * 64 if app.secret != "f" * 64 else "e" * 64),
              "unknown_client": ("00000000-0000-4000-8000-000000000000", app.secret)}[case]
    r = rfc_revoke(base_url, t["access_token"], client, where)
    assert_invalid_client(r, (app.secret, person.password))
    assert token_status(db, t["access_token"]) == 1


def test_rfc7009_user_as_client_cannot_revoke_app_tokens(base_url, db, app, person):
    # the token's user (name + password, as the token endpoint accepts for app-less tokens) is not the app
    t = password_token(base_url, app, person, "authorization")
    r = rfc_revoke(base_url, t["access_token"], (person.name, person.password))
    assert r.status_code in (200, 401), f"HTTP {r.status_code}: {r.text[:300]}"
    assert person.password not in r.text
    assert token_status(db, t["access_token"]) == 1


def test_rfc7009_without_client_authentication(base_url, db, app, person):
    t = password_token(base_url, app, person, "authorization")
    r = rfc_revoke(base_url, t["access_token"], None)
    assert r.status_code == 401, f"HTTP {r.status_code}: {r.text[:300]}"
    assert_no_store(r)
    assert token_status(db, t["access_token"]) == 1


def test_rfc7009_with_authlib(base_url, token_url, db, app, person):
    from authlib.integrations.requests_client import OAuth2Session
    for method in ("client_secret_basic", "client_secret_post"):
        t = password_token(base_url, app, person, "authorization")
        s = OAuth2Session(client_id=app.key, client_secret=app.secret, revocation_endpoint_auth_method=method,
                          token_endpoint_auth_method=method)
        r = s.revoke_token(base_url + REVOKE, token=t["refresh_token"], token_type_hint="refresh_token")
        assert r.status_code == 200 and r.json() == {}, r.text[:300]
        assert token_status(db, t["access_token"]) == 2, method


# ============================================================================= introspect (RFC 7662)
INTROSPECTION_KEYS = {"active", "scope", "client_id", "username", "sub", "exp", "iat", "iss", "token_type"}


def check_active(r: requests.Response, token: str, claims: dict, scope: str, app: App, user: User) -> dict:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}"
    body = assert_json(r)
    assert_no_store(r)
    assert set(body) == INTROSPECTION_KEYS, f"members {sorted(body)}"
    assert body["active"] is True
    assert body["scope"] == scope, "the row's comma-joined scope string"
    assert body["client_id"] == app.key
    assert body["username"] == user.name
    assert body["token_type"] == "bearer"
    for c in ("sub", "exp", "iat", "iss"):
        assert body[c] == claims[c], f"{c}: {body[c]!r} != JWT {claims[c]!r}"
    return body


@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
def test_introspect_own_live_token(where, base_url, app_url, project_key, db, app, person):
    t = password_token(base_url, app, person, "authorization,default")
    claims = decode_jwt(t["access_token"], project_key).claims
    check_active(introspect(base_url, t["access_token"], (app.key, app.secret), where), t["access_token"], claims,
                 "authorization,default", app, person)
    assert token_status(db, t["access_token"]) == 1, "introspection changes nothing"


def test_introspect_php_minted_token(base_url, app_url, project_key, db, app):
    u = sql_create_user(db, None, scopes=("authorization", "default"))
    m = mint_php_token(db, project_key, app_url, u, app, "default,authorization")
    check_active(introspect(base_url, m.token, (app.key, app.secret)), m.token, m.claims, "default,authorization",
                 app, u)


def test_introspect_with_authlib(base_url, project_key, app, person):
    from authlib.integrations.requests_client import OAuth2Session
    t = password_token(base_url, app, person, "authorization")
    s = OAuth2Session(client_id=app.key, client_secret=app.secret, token_endpoint_auth_method="client_secret_basic")
    r = s.introspect_token(base_url + INTROSPECT, token=t["access_token"])
    check_active(r, t["access_token"], decode_jwt(t["access_token"], project_key).claims, "authorization", app, person)


@pytest.mark.parametrize("case", ["unknown_jwt", "garbage", "xyz", "revoked", "expired_both", "expired_jwt",
                                  "expired_row", "other_app", "appless", "forged", "alg_none", "inactive_user",
                                  "inactive_app_token_of_other", "refresh_token_string", "empty", "too_long"])
def test_introspect_inactive(case, base_url, app_url, project_key, db, app, other_app, person):
    u = sql_create_user(db, None, scopes=("authorization",))
    now = int(time.time())
    if case == "unknown_jwt":
        token = jwt_encode(php_claims(app_url, u, app, now, now + 3600), project_key)
    elif case == "garbage":
        token = secrets.token_hex(20)
    elif case == "xyz":
        token = "x.y.z"
    elif case == "revoked":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization", status=2).token
    elif case == "expired_both":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization", iat=now - 7200, exp=now - 60,
                               row_expire=utcnow() - dt.timedelta(minutes=1)).token
    elif case == "expired_jwt":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization", iat=now - 7200, exp=now - 60,
                               row_expire=utcnow() + dt.timedelta(hours=1)).token
    elif case == "expired_row":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization",
                               row_expire=utcnow() - dt.timedelta(minutes=1)).token
    elif case == "other_app":
        token = password_token(base_url, other_app, person, "authorization")["access_token"]
    elif case == "appless":
        token = consumer_login(base_url, person, ["authorization"])["token"]
    elif case == "forged":
        token = jwt_encode(php_claims(app_url, u, app, now, now + 3600), secrets.token_hex(16).encode())
        insert_token_row(db, token, u, app, "authorization")
    elif case == "alg_none":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization", alg="none").token
    elif case == "inactive_user":
        token = mint_php_token(db, project_key, app_url, u, app, "authorization").token
        q(db, "UPDATE fusio_user SET status = 2 WHERE id = %s", (u.id,))
    elif case == "inactive_app_token_of_other":
        token = mint_php_token(db, project_key, app_url, u, other_app, "authorization").token
    elif case == "refresh_token_string":
        # the refresh token is not an access token: there is no JWT to report sub/exp/iat/iss of
        token = "0" * 20 + "-" + "0" * 48 + "-" + "0" * 10
    elif case == "too_long":
        token = jwt_encode(php_claims(app_url, u, app, now, now + 3600), project_key) + "A" * 600
    else:
        token = ""
    r = introspect(base_url, token, (app.key, app.secret))
    if case == "empty" and r.status_code == 400:          # a missing token may be invalid_request
        assert_no_store(r)
        return
    assert_inactive(r)


@pytest.mark.parametrize("where", ["basic", "body"])
@pytest.mark.parametrize("case", ["wrong_secret", "unknown_client", "missing"])
def test_introspect_needs_client_authentication(case, where, base_url, app, person):
    t = password_token(base_url, app, person, "authorization")
    client = {"wrong_secret": (app.key, "f" * 64 if app.secret != "f" * 64 else "e" * 64),
              "unknown_client": ("00000000-0000-4000-8000-000000000000", app.secret),
              "missing": None}[case]
    r = introspect(base_url, t["access_token"], client, where)
    if case == "missing":
        assert r.status_code == 401, f"HTTP {r.status_code}: {r.text[:300]}"
        assert assert_json(r).get("error") == "invalid_client", r.text[:300]
        assert_no_store(r)
    else:
        assert_invalid_client(r, (app.secret, person.password))
    assert "active" not in r.text


def test_introspect_with_a_bearer_token_is_no_client_authentication(base_url, app, person):
    t = password_token(base_url, app, person, "authorization")
    r = requests.post(base_url + INTROSPECT, data={"token": t["access_token"]},
                      headers={**bearer(t["access_token"]), "User-Agent": UA}, timeout=20)
    assert r.status_code == 401, f"HTTP {r.status_code}: {r.text[:300]}"
    assert "active" not in r.text


# ============================================================================= CORS
@pytest.mark.webserver
@pytest.mark.parametrize("path", [REVOKE, INTROSPECT])
def test_cors(path, base_url):
    check_cors(base_url, path, ["POST"])
