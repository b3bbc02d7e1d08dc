"""Bearer token validation (issue 4, reference §3.8 with the issue's fixes, §4.1, §4.6), end to end through nginx.

A token is accepted only if (a) a JWT (contains '.') verifies as HS256 with the project key, leeway 0, and no
other `alg`; (b) the exact string is an active, unexpired fusio_token row of the root tenant; (c) the row's
user, and app if any, are active. Legacy opaque tokens (no '.') need only (b) and (c). Every refusal is 401 with
the generic body and the Bearer challenge; nothing the header holds may cause a 500.

Tokens "minted the way PHP mints them" are built here (resourcelib.mint_php_token): the refused variants keep a
valid row for the exact string, so only the check under test can refuse them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time

import pytest
import requests

from conftest import JWT_HEADER_B64, App, User, create_app, create_user, decode_jwt, q, sql_create_user, utcnow
from resourcelib import (CONSUMER_AUTHORIZE, REVOKE, UA, assert_bearer_401, b64url, bearer, consumer_login,
                         insert_token_row, jwt_encode, mint_php_token, password_token, php_claims, php_lookup,
                         token_status, whoami)


@pytest.fixture(scope="module")
def user(db) -> User:
    return sql_create_user(db, None, scopes=("authorization", "default"))


@pytest.fixture(scope="module")
def app(user) -> App:
    return create_app(user, "authorization,default")


def assert_accepted(base_url, token: str, user: User) -> dict:
    r = whoami(base_url, token)
    assert r.status_code == 200, f"whoami refused a valid token: HTTP {r.status_code}: {r.text[:500]}"
    body = r.json()
    assert body["id"] == user.id and body["name"] == user.name, body
    return body


# ============================================================================= how PHP mints (self-check)
def test_minting_matches_the_reference_vector():
    # §4.1 test vector, checked against php-jwt 7.0.5: our PHP-style minting must give the same bytes
    u = User(2, "Consumer", "consumer@localhost.com", "")
    a = App(3, "5347307d-d801-4075-9aaa-a21a29a448c5", "", "", u)
    claims = php_claims("http://127.0.0.1", u, a, 1700000000, 1700172800)
    token = jwt_encode(claims, b"42eec18ffdbffc9fda6110dcc705d6ce")
    assert token == (
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xIiwic3ViIjoiMmExMWY5OTUtMTMwNi01NDk0LW"
        "FhYTUtNTFjNzRkODgyZTA3IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAxNzI4MDAsIm5hbWUiOiJDb25zdW1lciIsInByZWZlcnJl"
        "ZF91c2VybmFtZSI6IkNvbnN1bWVyIiwiYXVkIjoiNTM0NzMwN2QtZDgwMS00MDc1LTlhYWEtYTIxYTI5YTQ0OGM1IiwiZW1haWwiOiJjb2"
        "5zdW1lckBsb2NhbGhvc3QuY29tIn0.COKp9mENxDx7WiU4m6qGj6pTVd7LOjXtKGMrPjbVIZ0")
    assert token.split(".")[0] == JWT_HEADER_B64


# ============================================================================= accepted
@pytest.mark.parametrize("with_app", [True, False])
@pytest.mark.parametrize("category", ["authorization", "consumer", "default"])
def test_php_minted_token_is_accepted(with_app, category, base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app if with_app else None, "authorization,default",
                       category=category)
    assert "jti" not in m.claims
    assert_accepted(base_url, m.token, user)
    assert token_status(db, m.token) == 1, "validation does not change the row"


def test_php_minted_token_with_null_expire_is_accepted(base_url, app_url, project_key, db, user, app):
    # (expire IS NULL OR expire > now): a NULL row expiry never expires the row; the JWT exp still applies
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", row_expire=None)
    assert_accepted(base_url, m.token, user)


def test_php_minted_token_of_a_user_without_email(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    q_user = User(u.id, u.name, "", "")
    q(db, "UPDATE fusio_user SET email = NULL WHERE id = %s", (u.id,))
    m = mint_php_token(db, project_key, app_url, q_user, None, "authorization")
    assert "email" not in m.claims
    assert_accepted(base_url, m.token, q_user)


def test_root_scope_in_the_row_grants_its_sub_scopes(base_url, app_url, project_key, db, user):
    # the row scope "consumer" expands to consumer.*: POST /consumer/authorize (consumer.account) accepts it,
    # whoami (authorization) does not
    m = mint_php_token(db, project_key, app_url, user, None, "consumer")
    assert_bearer_401(whoami(base_url, m.token), app_url)
    r = requests.post(base_url + CONSUMER_AUTHORIZE, json={"responseType": "code", "clientId": "x", "scope": "a",
                                                            "state": "s", "allow": False},
                      headers={**bearer(m.token), "User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"a 'consumer' token must pass to consumer.account: {r.status_code} {r.text[:300]}"


@pytest.mark.parametrize("source", ["password_grant", "consumer_login"])
def test_our_tokens_are_found_by_the_php_lookup(source, base_url, app_url, project_key, db):
    u = create_user("Consumer")
    if source == "password_grant":
        owner_app = create_app(u, "authorization,consumer,default")
        body = password_token(base_url, owner_app, u, "authorization,default")
        token, expect_app = body["access_token"], owner_app.id
    else:
        body = consumer_login(base_url, u, ["authorization", "default"])
        token, expect_app = body["token"], None
    rows = php_lookup(db, token)
    assert len(rows) == 1, f"PHP's TokenValidator lookup finds {len(rows)} rows"
    row = rows[0]
    assert row["token"] == token and row["user_id"] == u.id and row["app_id"] == expect_app
    assert row["scope"] == "authorization,default"
    assert row["expire"] is not None and row["expire"] > utcnow()
    jwt = decode_jwt(token, project_key)
    assert jwt.header_b64 == JWT_HEADER_B64 and jwt.signature_ok, "php-jwt decode(HS256, project key) must pass"
    assert jwt.claims["exp"] > time.time() and jwt.claims["iat"] <= time.time()
    assert_accepted(base_url, token, u)


# ============================================================================= refused: the JWT
@pytest.mark.parametrize("variant", ["wrong_key", "tampered_payload", "signature_cut", "signature_of_other_token"])
def test_forged_jwt_with_a_row(variant, base_url, app_url, project_key, db, user, app):
    now = int(time.time())
    claims = php_claims(app_url, user, app, now, now + 3600)
    if variant == "wrong_key":
        token = jwt_encode(claims, secrets.token_hex(16).encode())
    elif variant == "tampered_payload":
        good = jwt_encode(claims, project_key)
        evil = dict(claims, name="Administrator", preferred_username="Administrator")
        h, _, s = good.split(".")
        token = f"{h}.{b64url(json.dumps(evil, separators=(',', ':')).encode())}.{s}"
    elif variant == "signature_cut":
        token = jwt_encode(claims, project_key)[:-4]
    else:
        other = jwt_encode(dict(claims, iat=now - 1), project_key)
        token = jwt_encode(claims, project_key).rsplit(".", 1)[0] + "." + other.rsplit(".", 1)[1]
    insert_token_row(db, token, user, app, "authorization")       # the exact string has a live row
    assert_bearer_401(whoami(base_url, token), app_url)
    assert token_status(db, token) == 1


@pytest.mark.parametrize("header", [
    {"typ": "JWT", "alg": "none"},
    {"alg": "none"},
    {"typ": "JWT", "alg": "None"},
    {"typ": "JWT", "alg": "HS512"},
    {"typ": "JWT", "alg": "HS384"},
    {"typ": "JWT", "alg": "hs256"},
    {"typ": "JWT", "alg": "RS256"},
    {"typ": "JWT"},
], ids=["none", "none_no_typ", "None", "HS512", "HS384", "hs256", "RS256", "no_alg"])
@pytest.mark.parametrize("signature", ["empty", "hs256", "matching"])
def test_other_algorithms_with_a_row(header, signature, base_url, app_url, project_key, db, user, app):
    now = int(time.time())
    claims = php_claims(app_url, user, app, now, now + 3600)
    signing = f"{b64url(json.dumps(header, separators=(',', ':')).encode())}." \
              f"{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
    if signature == "empty":
        sig = b""
    elif signature == "hs256":                       # a valid HS256 MAC under a header that names another alg
        sig = hmac.new(project_key, signing.encode(), hashlib.sha256).digest()
    else:                                            # the MAC the header's own algorithm gives with the project key
        digest = {"HS512": hashlib.sha512, "HS384": hashlib.sha384}.get(header.get("alg", ""), hashlib.sha256)
        sig = b"" if header.get("alg", "").lower() == "none" else hmac.new(project_key, signing.encode(), digest).digest()
    token = f"{signing}.{b64url(sig)}"
    insert_token_row(db, token, user, app, "authorization")
    assert_bearer_401(whoami(base_url, token), app_url)


def test_hs512_with_the_project_key_via_minting(base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", alg="HS512")
    assert_bearer_401(whoami(base_url, m.token), app_url)


def test_alg_none_via_minting(base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", alg="none")
    assert m.token.endswith("."), "alg none: empty signature"
    assert_bearer_401(whoami(base_url, m.token), app_url)


@pytest.mark.parametrize("case", ["both", "jwt_only", "row_only", "jwt_by_one_second"])
def test_expired(case, base_url, app_url, project_key, db, user, app):
    now = int(time.time())
    past_row = utcnow() - dt.timedelta(minutes=5)
    future_row = utcnow() + dt.timedelta(hours=1)
    if case == "both":            # the case: row expire in the past AND JWT exp in the past
        m = mint_php_token(db, project_key, app_url, user, app, "authorization", iat=now - 7200, exp=now - 60,
                           row_expire=past_row)
    elif case == "jwt_only":      # the row says live, the JWT says expired: leeway 0
        m = mint_php_token(db, project_key, app_url, user, app, "authorization", iat=now - 7200, exp=now - 60,
                           row_expire=future_row)
    elif case == "row_only":      # the JWT is live, the row has expired
        m = mint_php_token(db, project_key, app_url, user, app, "authorization", row_expire=past_row)
    else:
        m = mint_php_token(db, project_key, app_url, user, app, "authorization", iat=now - 7200, exp=now - 1,
                           row_expire=future_row)
    assert_bearer_401(whoami(base_url, m.token), app_url)


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_not_yet_valid(claim, base_url, app_url, project_key, db, user, app):
    # php-jwt with leeway 0: nbf > now, or (without nbf) iat > now, is refused (§4.1)
    now = int(time.time())
    c = php_claims(app_url, user, app, now, now + 7200)
    if claim == "iat":
        c["iat"] = now + 3600
    else:
        c["nbf"] = now + 3600
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", claims=c,
                       row_expire=utcnow() + dt.timedelta(hours=2))
    assert_bearer_401(whoami(base_url, m.token), app_url)


def test_valid_jwt_without_a_row(base_url, app_url, project_key, user, app):
    now = int(time.time())
    token = jwt_encode(php_claims(app_url, user, app, now, now + 3600), project_key)
    assert_bearer_401(whoami(base_url, token), app_url)


# ============================================================================= refused: the row
def test_revoked(base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app, "authorization")
    assert_accepted(base_url, m.token, user)
    q(db, "UPDATE fusio_token SET status = 2 WHERE id = %s", (m.row_id,))          # revoked, e.g. by PHP
    assert_bearer_401(whoami(base_url, m.token), app_url)


def test_revoked_status_2_row(base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", status=2)
    assert_bearer_401(whoami(base_url, m.token), app_url)


def test_row_of_another_tenant(base_url, app_url, project_key, db, user, app):
    m = mint_php_token(db, project_key, app_url, user, app, "authorization", tenant="other_tenant")
    assert_bearer_401(whoami(base_url, m.token), app_url)


@pytest.mark.parametrize("status", [0, 2])
def test_inactive_user(status, base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    assert_accepted(base_url, m.token, u)
    q(db, "UPDATE fusio_user SET status = %s WHERE id = %s", (status, u.id))
    assert_bearer_401(whoami(base_url, m.token), app_url)
    assert token_status(db, m.token) == 1


@pytest.mark.parametrize("status", [2, 3, 4])
def test_inactive_app(status, base_url, app_url, project_key, db, user):
    a = create_app(user, "authorization")
    m = mint_php_token(db, project_key, app_url, user, a, "authorization")
    assert_accepted(base_url, m.token, user)
    q(db, "UPDATE fusio_app SET status = %s WHERE id = %s", (status, a.id))
    assert_bearer_401(whoami(base_url, m.token), app_url)


# ============================================================================= legacy opaque tokens (no '.')
def test_legacy_opaque_token_is_accepted(base_url, app_url, db, user, app):
    token = secrets.token_hex(32)
    insert_token_row(db, token, user, app, "authorization")
    assert_accepted(base_url, token, user)


def test_legacy_opaque_token_without_expiry_is_accepted(base_url, db, user):
    token = secrets.token_hex(32)
    insert_token_row(db, token, user, None, "authorization", expire=None)
    assert_accepted(base_url, token, user)


@pytest.mark.parametrize("case", ["expired", "revoked", "unknown", "other_case", "inactive_user"])
def test_legacy_opaque_token_refused(case, base_url, app_url, db, user, app):
    token = secrets.token_hex(32)
    owner = user
    if case == "inactive_user":
        owner = sql_create_user(db, None, scopes=("authorization",), status=2)
    if case != "unknown":
        insert_token_row(db, token, owner, None, "authorization",
                         expire=utcnow() - dt.timedelta(seconds=30) if case == "expired" else None,
                         status=2 if case == "revoked" else 1)
    sent = token.upper() if case == "other_case" else token     # "the exact string": no collation match
    assert_bearer_401(whoami(base_url, sent), app_url)


# ============================================================================= malformed headers: 401, never 500
def _jwt_parts(*parts: bytes) -> str:
    return ".".join(b64url(p) for p in parts)


MALFORMED = {
    "missing": None,
    "empty": "",
    "scheme_only": "Bearer",
    "scheme_and_space": "Bearer ",
    "basic": "Basic dXNlcjpwYXNzd29yZA==",
    "other_scheme": "Token abcdef",
    "no_scheme": "abcdef0123456789",
    "xyz": "Bearer x.y.z",
    "dots": "Bearer ..",
    "one_dot": "Bearer a.b",
    "four_parts": "Bearer a.b.c.d",
    "garbage": "Bearer !!!###$$$%%%",
    "bad_base64": f"Bearer {JWT_HEADER_B64}.%%%%.####",
    "payload_not_json": "Bearer " + _jwt_parts(b'{"typ":"JWT","alg":"HS256"}', b"not json", b"sig"),
    "payload_array": "Bearer " + _jwt_parts(b'{"typ":"JWT","alg":"HS256"}', b"[1,2,3]", b"sig"),
    "payload_string": "Bearer " + _jwt_parts(b'{"typ":"JWT","alg":"HS256"}', b'"x"', b"sig"),
    "header_not_json": "Bearer " + _jwt_parts(b"{typ:JWT", b'{"exp":1}', b"sig"),
    "header_array": "Bearer " + _jwt_parts(b"[]", b"{}", b""),
    "header_null_alg": "Bearer " + _jwt_parts(b'{"alg":null}', b"{}", b""),
    "header_numeric_alg": "Bearer " + _jwt_parts(b'{"alg":256}', b"{}", b""),
    "deep_json": "Bearer " + _jwt_parts(b"[" * 1500 + b"]" * 1500, b"{}", b""),
    "huge": "Bearer " + "a" * 7000,
    "huge_dots": "Bearer " + "ab." * 2300,
    "non_ascii_utf8": "Bearer é€ü.ñ.中".encode("utf-8"),
    "non_ascii_latin1": "Bearer \xe9\xfc.\xf1.\xe0".encode("latin-1"),
    "null_byte_escape": "Bearer %00.%00.%00",
}


def _send(base_url: str, target: str, value) -> requests.Response:
    h = {"User-Agent": UA}
    if value is not None:
        h["Authorization"] = value
    if target == "whoami":
        return requests.get(base_url + "/authorization/whoami", headers=h, timeout=20)
    if target == "revoke":
        return requests.post(base_url + REVOKE, headers=h, timeout=20)
    return requests.post(base_url + CONSUMER_AUTHORIZE, json={"responseType": "code", "clientId": "x",
                                                               "scope": "authorization", "state": "s", "allow": True},
                         headers=h, timeout=20)


@pytest.mark.webserver
@pytest.mark.parametrize("target", ["whoami", "revoke", "consumer_authorize"])
@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_authorization_header(name, target, base_url, app_url):
    r = _send(base_url, target, MALFORMED[name])
    assert r.status_code != 500, f"HTTP 500 for Authorization {name}: {r.text[:300]}"
    assert_bearer_401(r, app_url)


def test_a_valid_token_still_works_after_the_garbage(base_url, app_url, project_key, db, user, app):
    # the workers survived everything above
    m = mint_php_token(db, project_key, app_url, user, app, "authorization")
    assert_accepted(base_url, m.token, user)
