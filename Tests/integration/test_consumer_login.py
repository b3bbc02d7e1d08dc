"""POST /consumer/login (log in) and PUT /consumer/login (refresh), end to end through nginx.

Behaviour: issue 3 "/consumer/login" and reference §3.1, §3.2, §4.5, §4.6, §5.2, with the issue's fixes:
an empty scope result is 400 (not 500), disabled/deleted/remote users cannot log in and get the same body
as a wrong password, the refresh goes through the strict rotation (status 1 only, reuse revokes the family).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import secrets
import urllib.parse

import pytest
import requests

from conftest import (EXPIRE_P2D, REFRESH_RE, User, create_app, create_user, decode_jwt, php_password_hash, q,
                      set_user_scopes, sql_create_user, utcnow)
from grantlib import (FULL_CONSUMER, UA, assert_generic_error, assert_no_store, assert_token_response,
                      check_claims, check_row, create_plan_with_scopes, create_scopes, long_scope_names, make_remote,
                      row_by_refresh, set_app_status, set_token_date, set_user_status, statuses, token_request,
                      token_row)

LOGIN_PATH = "/consumer/login"
INVALID = "Invalid name or password"


@pytest.fixture(scope="module")
def login_url(base_url) -> str:
    return base_url + LOGIN_PATH


@pytest.fixture(scope="module")
def user() -> User:
    return create_user("Consumer")


def login(url, username, password, scopes=None, form=False, ua=UA, method="POST") -> requests.Response:
    headers = {"User-Agent": ua}
    if form:
        data = {"username": username, "password": password}
        if scopes is not None:
            data["scopes[]"] = scopes
        return requests.request(method, url, data=data, headers=headers, timeout=20)
    body = {"username": username, "password": password}
    if scopes is not None:
        body["scopes"] = scopes
    return requests.request(method, url, json=body, headers=headers, timeout=20)


def refresh(url, refresh_token, form=False, ua=UA) -> requests.Response:
    if form:
        return requests.put(url, data={"refresh_token": refresh_token}, headers={"User-Agent": ua}, timeout=20)
    return requests.put(url, json={"refresh_token": refresh_token}, headers={"User-Agent": ua}, timeout=20)


def assert_login_response(r: requests.Response) -> dict:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert_no_store(r)
    body = r.json()
    assert set(body) == {"token", "expires_in", "refresh_token", "scope"}, body
    assert isinstance(body["token"], str) and body["token"].count(".") == 2, body
    assert body["expires_in"] in EXPIRE_P2D, body
    assert REFRESH_RE.match(body["refresh_token"]), body
    assert isinstance(body["scope"], str) and body["scope"], body
    return body


def check_login_row(db, body: dict, user: User, name: str) -> dict:
    """The fusio_token row of a /consumer/login token: category consumer, app_id NULL (§3.1 step 5)."""
    row = token_row(db, body["token"])
    check_row(db, row, body["token"], body["refresh_token"], body["scope"], user, None, name, category="consumer")
    return row


# ============================================================================= POST: success
@pytest.mark.webserver
def test_login_json(login_url, app_url, project_key, db, user):
    body = assert_login_response(login(login_url, user.name, user.password))
    assert body["scope"] == ",".join(FULL_CONSUMER), "no scopes: all of the user's scopes"
    jwt = decode_jwt(body["token"], project_key)
    assert "aud" not in jwt.claims
    check_claims(jwt, app_url, user, None, body["expires_in"])
    row = check_login_row(db, body, user, f"Consumer Login by {UA} (127.0.0.1)")
    assert row["app_id"] is None


@pytest.mark.webserver
def test_login_form_with_scopes(login_url, db, user):
    r = login(login_url, user.name, user.password, scopes=["default", "consumer.app"], form=True)
    body = assert_login_response(r)
    assert body["scope"] == "consumer.app,default", "user's order, not the request's"
    check_login_row(db, body, user, f"Consumer Login by {UA} (127.0.0.1)")


def test_login_form_without_scopes(login_url, user):
    body = assert_login_response(login(login_url, user.name, user.password, form=True))
    assert body["scope"] == ",".join(FULL_CONSUMER)


def test_login_requested_scopes_are_filtered(login_url, db, user):
    # reference §3.1 step 4: ["foo","bar","baz","backend"] -> "foo,bar" (the ones the user has, user's order)
    r = login(login_url, user.name, user.password, scopes=["default", "nosuchscope", "authorization", "backend"])
    body = assert_login_response(r)
    assert body["scope"] == "authorization,default"
    assert token_row(db, body["token"])["scope"] == "authorization,default"


@pytest.mark.parametrize("scopes", [[], None])
def test_login_empty_scopes_mean_all(scopes, login_url, user):
    body = assert_login_response(login(login_url, user.name, user.password, scopes=scopes))
    assert body["scope"] == ",".join(FULL_CONSUMER)


def test_login_plan_scopes(login_url, db):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "default"])
    plan_id = create_plan_with_scopes(db, ["openid"])
    q(db, "UPDATE fusio_user SET plan_id = %s WHERE id = %s", (plan_id, u.id))
    # requested: the plan's scopes count
    body = assert_login_response(login(login_url, u.name, u.password, scopes=["openid", "default"]))
    assert body["scope"] == "default,openid"
    body = assert_login_response(login(login_url, u.name, u.password, scopes=["openid"]))
    assert body["scope"] == "openid"
    # none requested: all user scopes WITHOUT the plan's
    body = assert_login_response(login(login_url, u.name, u.password))
    assert body["scope"] == "authorization,default"


@pytest.mark.parametrize("how", ["upper", "email", "email_upper"])
def test_login_name_lookup(how, login_url, db, user):
    name = {"upper": user.name.upper(), "email": user.email, "email_upper": user.email.upper()}[how]
    assert name != user.name
    body = assert_login_response(login(login_url, name, user.password, scopes=["default"]))
    assert token_row(db, body["token"])["user_id"] == user.id


def test_login_long_name_is_looked_up_as_email(login_url, db):
    # 33+ characters do not match ^[a-zA-Z0-9\-\_\.]{3,32}$: such a string is looked up as e-mail
    long_name = ("n" * 26) + "x" + secrets.token_hex(3)
    assert len(long_name) == 33
    pw = "long-" + long_name
    u = sql_create_user(db, php_password_hash(pw, 4), name=long_name)
    assert_generic_error(login(login_url, long_name, pw), 400, INVALID)
    body = assert_login_response(login(login_url, u.email, pw))
    assert token_row(db, body["token"])["user_id"] == u.id


@pytest.mark.parametrize("cost", [10, 12])
def test_login_php_hashes(cost, login_url, db):
    pw = "php-login-" + str(cost)
    h = php_password_hash(pw, cost)
    assert h.startswith(f"$2y${cost}$")
    u = sql_create_user(db, h)
    body = assert_login_response(login(login_url, u.name, pw))
    assert body["scope"] == "authorization,default"
    assert token_row(db, body["token"])["user_id"] == u.id
    assert_generic_error(login(login_url, u.name, pw + "x"), 400, INVALID)


def test_login_openid_gives_no_id_token(login_url, db):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "openid"])
    body = assert_login_response(login(login_url, u.name, u.password))
    assert body["scope"] == "authorization,openid"   # the 4 fields only (assert_login_response)


# ============================================================================= POST: errors
def test_login_failures_are_indistinguishable(login_url, db, user):
    pw = "same-" + user.password
    disabled = sql_create_user(db, php_password_hash(pw, 4), status=2)
    deleted = sql_create_user(db, php_password_hash(pw, 4), status=0)
    remote = sql_create_user(db, php_password_hash(pw, 4))
    make_remote(db, remote.id, create_app(user, "authorization").id)
    no_password = sql_create_user(db, None)
    cases = {
        "wrong password": login(login_url, user.name, user.password + "x"),
        "unknown user": login(login_url, "no-such-user-" + user.name, user.password),
        "unknown email": login(login_url, "nobody@example.invalid", user.password),
        "disabled": login(login_url, disabled.name, pw),
        "deleted": login(login_url, deleted.name, pw),
        "remote": login(login_url, remote.name, pw),
        "no password stored": login(login_url, no_password.name, pw),
    }
    bodies = {}
    for what, r in cases.items():
        body = assert_generic_error(r, 400, INVALID)
        assert user.password not in r.text and pw not in r.text, f"{what}: password echoed"
        bodies[what] = (r.status_code, body)
    assert len({json.dumps(b, sort_keys=True) for b in bodies.values()}) == 1, f"bodies differ: {bodies}"
    for u in (disabled, deleted, remote, no_password):
        assert statuses(db, u.id, None) == {}, "no token row for a refused login"


@pytest.mark.parametrize("field,message", [("username", "No username provided"), ("password", "No password provided")])
@pytest.mark.parametrize("value", ["", None, "0"])
def test_login_empty_field(field, message, value, login_url, user):
    body = {"username": user.name, "password": user.password}
    if value is None:
        del body[field]
    else:
        body[field] = value
    r = requests.post(login_url, json=body, headers={"User-Agent": UA}, timeout=20)
    assert_generic_error(r, 400, message)


def test_login_empty_scope_result_is_400(login_url, db, user):
    r = login(login_url, user.name, user.password, scopes=["nosuchscope", "backend"])
    assert_generic_error(r, 400)
    u = create_user("Consumer")
    set_user_scopes(db, u.id, [])
    assert_generic_error(login(login_url, u.name, u.password), 400)
    assert statuses(db, u.id, None) == {}


def test_login_more_than_1023_scope_characters(login_url, db):
    names = long_scope_names(40)
    create_scopes(db, names)
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization"] + names)
    assert_generic_error(login(login_url, u.name, u.password), 400)
    assert statuses(db, u.id, None) == {}
    body = assert_login_response(login(login_url, u.name, u.password, scopes=names[:31]))
    assert len(body["scope"]) == 1022


def raw_request(url: str, method: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """http.client sends no User-Agent of its own (requests would)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    try:
        conn.request(method, u.path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_login_without_user_agent(login_url, db, user):
    before = statuses(db, user.id, None)
    payload = json.dumps({"username": user.name, "password": user.password}).encode()
    status, raw = raw_request(login_url, "POST", payload, {"Content-Type": "application/json"})
    assert status == 400, raw
    body = json.loads(raw)
    assert body.get("success") is False and body.get("message") == "Request must contain an User-Agent header", body
    assert statuses(db, user.id, None) == before
    status, raw = raw_request(login_url, "PUT", b'{"refresh_token": "x"}', {"Content-Type": "application/json"})
    assert status == 400, raw


def test_login_malformed_json(login_url):
    r = requests.post(login_url, data=b'{"username": ', headers={"User-Agent": UA, "Content-Type": "application/json"},
                      timeout=20)
    assert_generic_error(r, 400)


# ============================================================================= PUT: refresh
@pytest.mark.webserver
def test_refresh(login_url, app_url, project_key, db, user):
    old = assert_login_response(login(login_url, user.name, user.password, scopes=["authorization", "default"]))
    new = assert_login_response(refresh(login_url, old["refresh_token"]))
    assert new["token"] != old["token"] and new["refresh_token"] != old["refresh_token"]
    assert new["scope"] == "authorization,default"
    check_claims(decode_jwt(new["token"], project_key), app_url, user, None, new["expires_in"])
    check_login_row(db, new, user, f"Consumer Refresh by {UA} (127.0.0.1)")
    assert token_row(db, old["token"])["status"] == 2
    # form body too, and the new token refreshes in turn
    newer = assert_login_response(refresh(login_url, new["refresh_token"], form=True))
    assert token_row(db, new["token"])["status"] == 2 and token_row(db, newer["token"])["status"] == 1


def test_refresh_reuse_revokes_the_family(login_url, db):
    u = create_user("Consumer")
    sibling = assert_login_response(login(login_url, u.name, u.password, scopes=["default"]))
    a = assert_login_response(login(login_url, u.name, u.password, scopes=["authorization"]))
    b = assert_login_response(refresh(login_url, a["refresh_token"]))
    r = refresh(login_url, a["refresh_token"])
    assert_generic_error(r, 400, "Invalid refresh token")
    assert_no_store(r)
    assert token_row(db, b["token"])["status"] == 2
    assert token_row(db, sibling["token"])["status"] == 2
    assert all(s == 2 for s in statuses(db, u.id, None).values())
    assert_generic_error(refresh(login_url, b["refresh_token"]), 400, "Invalid refresh token")


def test_refresh_unknown(login_url, db, user):
    live = assert_login_response(login(login_url, user.name, user.password, scopes=["default"]))
    assert_generic_error(refresh(login_url, "0" * 20 + "-" + "0" * 48 + "-" + "0" * 10), 400, "Invalid refresh token")
    assert token_row(db, live["token"])["status"] == 1


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}])
def test_refresh_missing(body, login_url):
    r = requests.put(login_url, json=body, headers={"User-Agent": UA}, timeout=20)
    assert_generic_error(r, 400, "No refresh token provided")


def test_refresh_expired(login_url, db, user):
    t = assert_login_response(login(login_url, user.name, user.password, scopes=["default"]))
    issued = utcnow() - dt.timedelta(days=3, seconds=60)
    set_token_date(db, t["refresh_token"], issued, issued + dt.timedelta(days=2))
    assert_generic_error(refresh(login_url, t["refresh_token"]), 400, "Refresh token is expired")


def test_refresh_after_access_token_expired(login_url, db, user):
    t = assert_login_response(login(login_url, user.name, user.password, scopes=["default"]))
    issued = utcnow() - dt.timedelta(days=3) + dt.timedelta(seconds=120)
    set_token_date(db, t["refresh_token"], issued, issued + dt.timedelta(days=2))
    assert_login_response(refresh(login_url, t["refresh_token"]))
    assert row_by_refresh(db, t["refresh_token"])["status"] == 2


def test_refresh_of_an_oauth_token_keeps_its_app(login_url, token_url, db, user):
    # §3.2: refresh tokens of any origin are accepted; app_id is copied from the old row
    a = create_app(user, "authorization,default")
    t = assert_token_response(token_request(token_url, {"grant_type": "password", "username": user.name,
                                                        "password": user.password, "scope": "default"},
                                            auth=(a.key, a.secret)))
    new = assert_login_response(refresh(login_url, t["refresh_token"]))
    assert new["scope"] == "default"
    row = token_row(db, new["token"])
    assert row["app_id"] == a.id and row["user_id"] == user.id
    assert token_row(db, t["access_token"])["status"] == 2


def test_refresh_with_app_deactivated(login_url, token_url, db, user):
    a = create_app(user, "authorization,default")
    t = assert_token_response(token_request(token_url, {"grant_type": "client_credentials", "scope": "default"},
                                            auth=(a.key, a.secret)))
    set_app_status(db, a.id, 3)
    assert_generic_error(refresh(login_url, t["refresh_token"]), 400)
    assert statuses(db, user.id, a.id) == {token_row(db, t["access_token"])["id"]: 1}


@pytest.mark.parametrize("status", [0, 2])
def test_refresh_with_user_deactivated(status, login_url, db):
    u = create_user("Consumer")
    t = assert_login_response(login(login_url, u.name, u.password, scopes=["default"]))
    set_user_status(db, u.id, status)
    assert_generic_error(refresh(login_url, t["refresh_token"]), 400)
    assert len(statuses(db, u.id, None)) == 1


def test_refresh_keeps_scopes_the_user_lost(login_url, db):
    # the stored scope list is kept on refresh, even when the user lost a scope since
    u = create_user("Consumer")
    t = assert_login_response(login(login_url, u.name, u.password, scopes=["authorization", "default"]))
    set_user_scopes(db, u.id, ["authorization"])
    assert assert_login_response(refresh(login_url, t["refresh_token"]))["scope"] == "authorization,default"
