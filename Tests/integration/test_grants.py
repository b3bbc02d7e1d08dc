"""POST /authorization/token with grant_type=password, authorization_code (incl. PKCE) and refresh_token,
end to end through nginx against the real MariaDB.

Behaviour: issue 3 and reference §3.3.4, §3.3.5, §3.3.7, §3.3.8, §3.4.5, §4.4-§4.7, with the issue's
fixes of §8.2: single-use codes (replay revokes the user's tokens of that app), NULL stored redirect_uri
equal to an absent parameter, PKCE S256/plain with public clients, refresh tokens bound to their client,
rotation with reuse detection, `Cache-Control: no-store`/`Pragma: no-cache`, conflicting credentials
refused, inactive user at issue time -> invalid_grant.

Codes are inserted in SQL (the authorize endpoint comes with a later issue).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt

import pytest

from conftest import (App, User, create_app, create_user, db_connect, decode_jwt, php_password_hash, post_token, q,
                      set_app_scopes, set_user_scopes, sql_create_user, utcnow, wait_until)
from frontlib import Pool
from grantlib import (CONSUMED, FULL_CONSUMER, UA, assert_oauth_error, assert_token_response, check_claims,
                      check_row, code_row, create_scopes, insert_code, long_scope_names, pkce_pair,
                      plan_scopes_read_for_app, row_by_refresh, set_app_status, set_token_date, set_user_status, statuses, token_request,
                      token_row)

REDIRECT = "https://app.example.com/callback"


# ----------------------------------------------------------------------------- fixtures (this module's own data)
@pytest.fixture(scope="module")
def owner() -> User:
    """Owns the apps; never logs in itself."""
    return create_user("Consumer")


@pytest.fixture(scope="module")
def person() -> User:
    """The resource owner who logs in through the password grant and authorizes codes."""
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,consumer,default")


@pytest.fixture(scope="module")
def other_app(owner) -> App:
    return create_app(owner, "authorization,consumer,default")


def password_grant(token_url, app: App, user: User, scope=None, where="basic", json_body=False, **kw):
    data = {"grant_type": "password", "username": user.name, "password": user.password}
    if scope is not None:
        data["scope"] = scope
    auth = None
    if where == "basic":
        auth = (app.key, app.secret)
    else:
        data.update(client_id=app.key, client_secret=app.secret)
    return token_request(token_url, data, auth=auth, json_body=json_body, **kw)


def code_grant(token_url, code, app: App | None = None, where="basic", redirect_uri=None, verifier=None,
               client_id=None, client_secret=None, json_body=False):
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    if verifier is not None:
        data["code_verifier"] = verifier
    auth = None
    if app is not None and where == "basic":
        auth = (app.key, app.secret)
    elif app is not None and where == "body":
        data.update(client_id=app.key, client_secret=app.secret)
    if client_id is not None:
        data["client_id"] = client_id
    if client_secret is not None:
        data["client_secret"] = client_secret
    return token_request(token_url, data, auth=auth, json_body=json_body)


def refresh_grant(token_url, refresh, client: tuple[str, str] | None, where="basic", scope=None, json_body=False):
    data = {"grant_type": "refresh_token", "refresh_token": refresh}
    if scope is not None:
        data["scope"] = scope
    auth = None
    if client is not None and where == "basic":
        auth = client
    elif client is not None:
        data.update(client_id=client[0], client_secret=client[1])
    return token_request(token_url, data, auth=auth, json_body=json_body)


# ============================================================================= password (§3.3.4)
@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
def test_password_success(where, token_url, app_url, project_key, db, person, app):
    # the person does not own the app (the owner does): the token is the person's, for the app
    body = assert_token_response(password_grant(token_url, app, person, where=where))
    assert body["scope"] == ",".join(FULL_CONSUMER), "no scope requested: user's scopes ∩ app"
    jwt = decode_jwt(body["access_token"], project_key)
    check_claims(jwt, app_url, person, app, body["expires_in"])
    assert jwt.claims["aud"] == app.key
    row = token_row(db, body["access_token"])
    check_row(db, row, body["access_token"], body["refresh_token"], body["scope"], person, app, UA)


def test_password_login_by_email(token_url, db, person, app):
    u = User(person.id, person.email, person.email, person.password)
    body = assert_token_response(password_grant(token_url, app, u, scope="authorization"))
    assert body["scope"] == "authorization"
    assert token_row(db, body["access_token"])["user_id"] == person.id


@pytest.mark.webserver
def test_password_json_body(token_url, app_url, project_key, db, person, app):
    body = assert_token_response(password_grant(token_url, app, person, scope="default", where="body", json_body=True))
    assert body["scope"] == "default"
    check_claims(decode_jwt(body["access_token"], project_key), app_url, person, app, body["expires_in"])
    row = token_row(db, body["access_token"])
    check_row(db, row, body["access_token"], body["refresh_token"], "default", person, app, UA)


def test_password_scopes_are_requested_app_and_user_intersection(token_url, db, owner):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "default"])
    a = create_app(owner, "authorization,consumer")
    body = assert_token_response(password_grant(token_url, a, u, scope="consumer,default,authorization"))
    assert body["scope"] == "authorization", "consumer is not the user's, default is not the app's"
    body = assert_token_response(password_grant(token_url, a, u))
    assert body["scope"] == "authorization", "default: all user scopes ∩ app"
    assert_oauth_error(password_grant(token_url, a, u, scope="default"), 400, "invalid_scope", (u.password,))


@pytest.mark.parametrize("missing", ["username", "password"])
def test_password_missing_parameter(missing, token_url, person, app):
    data = {"grant_type": "password", "username": person.name, "password": person.password}
    del data[missing]
    r = token_request(token_url, data, auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret, person.password), f"Parameter {missing} is missing")


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user"])
def test_password_unknown_user(case, token_url, db, person, app):
    u = User(person.id, person.name, person.email, person.password + "x") if case == "wrong_password" \
        else User(0, "nobody-" + person.name, "", person.password)
    r = password_grant(token_url, app, u)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret, person.password), "Unknown user")


@pytest.mark.parametrize("where", ["basic", "body"])
def test_password_wrong_client_secret(where, token_url, person, app):
    bad = App(app.id, app.key, "0" * 64 if app.secret != "0" * 64 else "1" * 64, app.name, app.user)
    r = password_grant(token_url, bad, person, where=where)
    assert_oauth_error(r, 401, "invalid_client", (app.secret, person.password))


def test_password_user_credentials_are_no_client(token_url, person):
    # unlike client_credentials, the password grant needs an app as client (§3.3.4 step 1)
    me = App(0, person.name, person.password, "", person)
    r = password_grant(token_url, me, person)
    assert_oauth_error(r, 401, "invalid_client", (person.password,))


def test_password_without_client_credentials(token_url, person):
    r = token_request(token_url, {"grant_type": "password", "username": person.name, "password": person.password})
    assert_oauth_error(r, 400, "invalid_request", (person.password,))


def test_password_inactive_app(token_url, db, owner, person):
    a = create_app(owner, "authorization")
    assert_token_response(password_grant(token_url, a, person))
    set_app_status(db, a.id, 3)
    assert_oauth_error(password_grant(token_url, a, person), 401, "invalid_client", (a.secret, person.password))


@pytest.mark.parametrize("status", [0, 2])
def test_password_inactive_user(status, token_url, db, app):
    u = create_user("Consumer")
    assert_token_response(password_grant(token_url, app, u, scope="authorization"))
    set_user_status(db, u.id, status)
    r = password_grant(token_url, app, u, scope="authorization")
    assert_oauth_error(r, 400, "invalid_grant", (u.password,))


@pytest.mark.parametrize("cost", [10, 12])
def test_password_php_hashes(cost, token_url, db, app):
    # §5.1: PHP password_hash output, cost 10 (PHP < 8.4) and 12 (PHP >= 8.4)
    pw = "php-pw-" + str(cost)
    h = php_password_hash(pw, cost)
    assert h.startswith(f"$2y${cost}$")
    u = sql_create_user(db, h)
    u.password = pw
    body = assert_token_response(password_grant(token_url, app, u))
    assert body["scope"] == "authorization,default"
    assert token_row(db, body["access_token"])["user_id"] == u.id
    u.password = pw + "!"
    assert_oauth_error(password_grant(token_url, app, u), 400, "invalid_grant", (pw,))


# ============================================================================= any grant: openid, scopes, credentials
def test_openid_gives_id_token(token_url, db, owner):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "openid"])
    a = create_app(owner, "authorization")
    set_app_scopes(db, a.id, ["authorization", "openid"])
    body = assert_token_response(password_grant(token_url, a, u, scope="openid,authorization"))
    assert body["scope"] == "authorization,openid"
    assert body["id_token"] == body["access_token"]
    # without openid granted there is no id_token (assert_token_response checks its absence)
    body = assert_token_response(password_grant(token_url, a, u, scope="authorization"))
    assert "id_token" not in body
    # ... and a refreshed openid token has one again
    full = assert_token_response(password_grant(token_url, a, u))
    assert full["scope"] == "authorization,openid"
    ref = assert_token_response(refresh_grant(token_url, full["refresh_token"], (a.key, a.secret)))
    assert ref["scope"] == "authorization,openid" and ref["id_token"] == ref["access_token"]
    # ... and so has a code exchange
    code = insert_code(db, a, u, "openid,authorization", REDIRECT)
    ex = assert_token_response(code_grant(token_url, code, a, redirect_uri=REDIRECT))
    assert ex["scope"] == "authorization,openid" and ex["id_token"] == ex["access_token"]


def test_more_than_1023_scope_characters(token_url, db, owner):
    names = long_scope_names(40)            # 40 x 32 + 39 commas = 1319 characters
    create_scopes(db, names)
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization"] + names)
    a = create_app(owner, "authorization")
    set_app_scopes(db, a.id, ["authorization"] + names)
    before = statuses(db, u.id, a.id)
    r = password_grant(token_url, a, u)
    assert_oauth_error(r, 400, "invalid_scope", (a.secret, u.password))
    assert statuses(db, u.id, a.id) == before, "no token row may be written"
    # 31 of them fit (31 x 32 + 30 = 1022 characters, with authorization it is 1036 and too many)
    body = assert_token_response(password_grant(token_url, a, u, scope=",".join(names[:31])))
    assert body["scope"] == ",".join(names[:31]) and len(body["scope"]) == 1022
    assert_oauth_error(password_grant(token_url, a, u, scope=",".join(["authorization"] + names[:31])),
                       400, "invalid_scope", (a.secret,))


@pytest.mark.parametrize("grant", ["password", "refresh_token", "authorization_code"])
def test_conflicting_basic_and_body_credentials(grant, token_url, db, person, app, other_app):
    if grant == "password":
        data = {"grant_type": "password", "username": person.name, "password": person.password}
    elif grant == "refresh_token":
        issued = assert_token_response(password_grant(token_url, app, person, scope="authorization"))
        data = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    else:
        data = {"grant_type": "authorization_code", "code": insert_code(db, app, person, "authorization", REDIRECT),
                "redirect_uri": REDIRECT}
    data.update(client_id=other_app.key, client_secret=other_app.secret)
    r = token_request(token_url, data, auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret, other_app.secret, person.password))
    if grant == "refresh_token":
        assert row_by_refresh(db, data["refresh_token"])["status"] == 1, "a refused request must not rotate"
    if grant == "authorization_code":
        assert code_row(db, data["code"])["date"] != CONSUMED, "a refused request must not consume the code"


def test_same_credentials_in_basic_and_body_are_accepted(token_url, person, app):
    data = {"grant_type": "password", "username": person.name, "password": person.password, "scope": "default",
            "client_id": app.key, "client_secret": app.secret}
    body = assert_token_response(token_request(token_url, data, auth=(app.key, app.secret)))
    assert body["scope"] == "default"


# ============================================================================= authorization_code (§3.3.5, §3.4.5)
@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
def test_code_success(where, token_url, app_url, project_key, db, person, app):
    code = insert_code(db, app, person, "authorization,default", REDIRECT)
    body = assert_token_response(code_grant(token_url, code, app, where=where, redirect_uri=REDIRECT))
    assert body["scope"] == "authorization,default"
    check_claims(decode_jwt(body["access_token"], project_key), app_url, person, app, body["expires_in"])
    row = token_row(db, body["access_token"])
    check_row(db, row, body["access_token"], body["refresh_token"], body["scope"], person, app, UA)
    assert code_row(db, code)["date"] == CONSUMED, "the code is consumed with the issue"


@pytest.mark.webserver
def test_code_json_body(token_url, db, person, app):
    code = insert_code(db, app, person, "default", REDIRECT)
    body = assert_token_response(code_grant(token_url, code, app, where="body", redirect_uri=REDIRECT, json_body=True))
    assert body["scope"] == "default"
    assert token_row(db, body["access_token"])["app_id"] == app.id


def test_code_scopes_are_stored_app_and_user_intersection(token_url, db, owner):
    u = create_user("Consumer")
    set_user_scopes(db, u.id, ["authorization", "default", "openid"])
    a = create_app(owner, "authorization,consumer,default")
    # consumer.app: the app has it (by root), the user not; openid: the user has it, the app not — unless the user
    # whose id is the app's id has a plan with openid, which Fusio counts as the app's (quirk 20, kept)
    app_has_openid = "openid" in plan_scopes_read_for_app(db, a.id)
    code = insert_code(db, a, u, "consumer.app,default,openid,authorization", REDIRECT)
    body = assert_token_response(code_grant(token_url, code, a, redirect_uri=REDIRECT))
    expected = "authorization,openid,default" if app_has_openid else "authorization,default"
    assert body["scope"] == expected, "user's order, stored ∩ app ∩ user"
    assert token_row(db, body["access_token"])["scope"] == expected
    code = insert_code(db, a, u, "consumer.app,openid", REDIRECT)
    if app_has_openid:
        assert assert_token_response(code_grant(token_url, code, a, redirect_uri=REDIRECT))["scope"] == "openid"
    else:
        assert_oauth_error(code_grant(token_url, code, a, redirect_uri=REDIRECT), 400, "invalid_scope", (a.secret,))


def test_code_unknown(token_url, app):
    r = code_grant(token_url, "0123456789abcdef", app, redirect_uri=REDIRECT)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,))


def test_code_missing(token_url, app):
    r = token_request(token_url, {"grant_type": "authorization_code", "redirect_uri": REDIRECT},
                      auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), "Parameter code is missing")


@pytest.mark.parametrize("where", ["basic", "body"])
def test_code_of_another_app(where, token_url, db, person, app, other_app):
    code = insert_code(db, app, person, "authorization", REDIRECT)
    r = code_grant(token_url, code, other_app, where=where, redirect_uri=REDIRECT)
    assert_oauth_error(r, 401, "invalid_client", (app.secret, other_app.secret))
    assert code_row(db, code)["date"] != CONSUMED
    # the rightful client can still exchange it
    assert_token_response(code_grant(token_url, code, app, redirect_uri=REDIRECT))


@pytest.mark.parametrize("where", ["basic", "body"])
def test_code_wrong_secret(where, token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", REDIRECT)
    bad = App(app.id, app.key, app.secret.upper(), app.name, app.user)
    assert bad.secret != app.secret
    assert_oauth_error(code_grant(token_url, code, bad, where=where, redirect_uri=REDIRECT), 401, "invalid_client",
                       (app.secret, bad.secret))
    assert code_row(db, code)["date"] != CONSUMED


def test_code_without_challenge_needs_the_secret(token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", REDIRECT)
    r = code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT)
    assert_oauth_error(r, 401, "invalid_client", (app.secret,))
    r = code_grant(token_url, code, redirect_uri=REDIRECT)               # no client at all
    assert_oauth_error(r, 400, "invalid_request", (app.secret,))
    assert_token_response(code_grant(token_url, code, app, redirect_uri=REDIRECT))


def test_code_inactive_app(token_url, db, owner, person):
    a = create_app(owner, "authorization")
    code = insert_code(db, a, person, "authorization", REDIRECT)
    set_app_status(db, a.id, 3)
    assert_oauth_error(code_grant(token_url, code, a, redirect_uri=REDIRECT), 401, "invalid_client", (a.secret,))


@pytest.mark.parametrize("status", [0, 2])
def test_code_user_inactive_at_issue_time(status, token_url, db, app):
    u = create_user("Consumer")
    code = insert_code(db, app, u, "authorization", REDIRECT)
    set_user_status(db, u.id, status)
    r = code_grant(token_url, code, app, redirect_uri=REDIRECT)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,))
    assert statuses(db, u.id, app.id) == {}, "no token row for an inactive user"


# ----------------------------------------------------------------------------- redirect_uri
@pytest.mark.parametrize("given", [None, "", "https://app.example.com/other", REDIRECT + "/",
                                   "https://evil.example.com/callback"])
def test_code_redirect_uri_must_match(given, token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", REDIRECT)
    r = code_grant(token_url, code, app, redirect_uri=given)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,))
    assert code_row(db, code)["date"] != CONSUMED
    assert_token_response(code_grant(token_url, code, app, redirect_uri=REDIRECT))


@pytest.mark.parametrize("stored", [None, ""])
def test_code_without_stored_redirect_uri(stored, token_url, db, person, app):
    # §8.2 item 5: a code issued without redirect_uri (NULL, or '' as Fusio's fixtures store it) is exchanged
    # without the parameter; sending one is a mismatch
    code = insert_code(db, app, person, "authorization", stored)
    assert_oauth_error(code_grant(token_url, code, app, redirect_uri=REDIRECT), 400, "invalid_grant", (app.secret,))
    body = assert_token_response(code_grant(token_url, code, app))
    assert token_row(db, body["access_token"])["app_id"] == app.id
    assert code_row(db, code)["date"] == CONSUMED


def test_code_without_stored_redirect_uri_and_empty_parameter(token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", None)
    assert_token_response(code_grant(token_url, code, app, redirect_uri=""))


# ----------------------------------------------------------------------------- lifetime
def test_code_expired(token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", REDIRECT, date=utcnow() - dt.timedelta(seconds=1830))
    before = statuses(db, person.id, app.id)
    r = code_grant(token_url, code, app, redirect_uri=REDIRECT)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Code is expired")
    assert statuses(db, person.id, app.id) == before, "no token row for an expired code"


def test_code_just_inside_its_lifetime(token_url, db, person, app):
    code = insert_code(db, app, person, "authorization", REDIRECT, date=utcnow() - dt.timedelta(seconds=1740))
    assert_token_response(code_grant(token_url, code, app, redirect_uri=REDIRECT))


# ----------------------------------------------------------------------------- single use (§8.2 item 4)
def test_code_replay_is_refused_and_revokes_the_users_tokens_of_the_app(token_url, db, owner):
    u = create_user("Consumer")
    a = create_app(owner, "authorization,default")
    b = create_app(owner, "authorization,default")
    earlier = assert_token_response(password_grant(token_url, a, u, scope="default"))       # same user + app
    other = assert_token_response(password_grant(token_url, b, u, scope="default"))         # other app
    own = assert_token_response(token_request(token_url, {"grant_type": "client_credentials", "scope": "default"},
                                              auth=(u.name, u.password)))                  # app-less
    code = insert_code(db, a, u, "authorization", REDIRECT)
    first = assert_token_response(code_grant(token_url, code, a, redirect_uri=REDIRECT))
    assert token_row(db, first["access_token"])["status"] == 1

    second = code_grant(token_url, code, a, redirect_uri=REDIRECT)
    assert_oauth_error(second, 400, "invalid_grant", (a.secret,))
    assert token_row(db, first["access_token"])["status"] == 2, "the token issued from the code is revoked"
    assert token_row(db, earlier["access_token"])["status"] == 2, "all active tokens of user + app are revoked"
    assert token_row(db, other["access_token"])["status"] == 1, "tokens of another app stay"
    assert token_row(db, own["access_token"])["status"] == 1, "app-less tokens of the user stay"
    assert all(s == 2 for s in statuses(db, u.id, a.id).values())
    # the revoked token's refresh token is dead too
    assert_oauth_error(refresh_grant(token_url, first["refresh_token"], (a.key, a.secret)), 400, "invalid_grant")


def test_code_replay_does_not_queue_behind_a_revocation_of_the_same_code(token_url, db, owner):
    """As for refresh tokens: a replay whose consumed code row another transaction holds (the test, standing for
    another replay's revocation) answers at once and leaves the revocation to that one."""
    u = create_user("Consumer")
    a = create_app(owner, "authorization,default")
    code = insert_code(db, a, u, "authorization", REDIRECT)
    first = assert_token_response(code_grant(token_url, code, a, redirect_uri=REDIRECT))
    holder = db_connect()
    try:
        holder.begin()
        q(holder, "SELECT id FROM fusio_app_code WHERE id = %s FOR UPDATE", (code_row(db, code)["id"],))
        # without SKIP LOCKED this waits for the holder (innodb_lock_wait_timeout: 50 s) past the client's timeout
        assert_oauth_error(code_grant(token_url, code, a, redirect_uri=REDIRECT), 400, "invalid_grant", (a.secret,))
        assert token_row(db, first["access_token"])["status"] == 1, "the revocation in progress is the holder's to do"
    finally:
        holder.rollback()
        holder.close()
    assert_oauth_error(code_grant(token_url, code, a, redirect_uri=REDIRECT), 400, "invalid_grant", (a.secret,))
    assert token_row(db, first["access_token"])["status"] == 2, "with the row free, the replay revokes"


def test_code_replay_with_pkce_public_client(token_url, db, person, owner):
    a = create_app(owner, "authorization")
    verifier, challenge = pkce_pair()
    code = insert_code(db, a, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    first = assert_token_response(code_grant(token_url, code, client_id=a.key, redirect_uri=REDIRECT,
                                             verifier=verifier))
    r = code_grant(token_url, code, client_id=a.key, redirect_uri=REDIRECT, verifier=verifier)
    assert_oauth_error(r, 400, "invalid_grant")
    assert token_row(db, first["access_token"])["status"] == 2


# ----------------------------------------------------------------------------- PKCE (RFC 7636)
@pytest.mark.webserver
@pytest.mark.parametrize("method", ["S256", "plain"])
def test_pkce_public_client(method, token_url, app_url, project_key, db, person, app):
    verifier, challenge = pkce_pair(method)
    code = insert_code(db, app, person, "authorization,default", REDIRECT, challenge=challenge, method=method)
    # a public client: only client_id in the body, no secret anywhere
    r = code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT, verifier=verifier)
    body = assert_token_response(r)
    assert body["scope"] == "authorization,default"
    check_claims(decode_jwt(body["access_token"], project_key), app_url, person, app, body["expires_in"])
    row = token_row(db, body["access_token"])
    check_row(db, row, body["access_token"], body["refresh_token"], body["scope"], person, app, UA)
    assert code_row(db, code)["date"] == CONSUMED


@pytest.mark.parametrize("where", ["basic", "body"])
def test_pkce_confidential_client(where, token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    body = assert_token_response(code_grant(token_url, code, app, where=where, redirect_uri=REDIRECT,
                                            verifier=verifier))
    assert token_row(db, body["access_token"])["app_id"] == app.id


def test_pkce_json_body(token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    r = code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT, verifier=verifier, json_body=True)
    assert_token_response(r)


@pytest.mark.parametrize("method", ["S256", "plain"])
@pytest.mark.parametrize("case", ["wrong", "missing", "challenge_itself", "other_case"])
def test_pkce_verifier_mismatch(case, method, token_url, db, owner, person):
    a = create_app(owner, "authorization")
    verifier, challenge = pkce_pair(method)
    code = insert_code(db, a, person, "authorization", REDIRECT, challenge=challenge, method=method)
    given = {"wrong": pkce_pair(method)[0], "missing": None, "challenge_itself": challenge,
             "other_case": verifier.swapcase()}[case]
    if method == "plain" and case == "challenge_itself":
        given = verifier[:-1] + ("A" if verifier[-1] != "A" else "B")   # for plain the challenge is the verifier
    assert given != verifier
    for kw in ({"client_id": a.key}, {"app": a}):          # public, and confidential with a correct secret
        r = code_grant(token_url, code, redirect_uri=REDIRECT, verifier=given, **kw)
        assert_oauth_error(r, 400, "invalid_grant", (a.secret,))
    assert statuses(db, person.id, a.id) == {}, "no token may be issued"


def test_pkce_public_client_of_another_app(token_url, db, person, app, other_app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    r = code_grant(token_url, code, client_id=other_app.key, redirect_uri=REDIRECT, verifier=verifier)
    assert_oauth_error(r, 401, "invalid_client")
    assert code_row(db, code)["date"] != CONSUMED


def test_pkce_with_a_wrong_secret(token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    r = code_grant(token_url, code, client_id=app.key, client_secret="f" * 64, redirect_uri=REDIRECT, verifier=verifier)
    assert_oauth_error(r, 401, "invalid_client", (app.secret,))
    assert code_row(db, code)["date"] != CONSUMED


def test_pkce_redirect_uri_still_checked(token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    r = code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT + "x", verifier=verifier)
    assert_oauth_error(r, 400, "invalid_grant")


def test_pkce_expired(token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, date=utcnow() - dt.timedelta(seconds=1830),
                       challenge=challenge, method="S256")
    r = code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT, verifier=verifier)
    assert_oauth_error(r, 400, "invalid_grant", description="Code is expired")


# ============================================================================= refresh_token (§3.3.7, §4.5)
@pytest.fixture()
def rt_user() -> User:
    return create_user("Consumer")


@pytest.mark.webserver
@pytest.mark.parametrize("where", ["basic", "body"])
def test_refresh_rotates(where, token_url, app_url, project_key, db, rt_user, app):
    old = assert_token_response(password_grant(token_url, app, rt_user, scope="authorization,default"))
    old_row = token_row(db, old["access_token"])
    new = assert_token_response(refresh_grant(token_url, old["refresh_token"], (app.key, app.secret), where=where))
    assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
    assert new["scope"] == "authorization,default"
    check_claims(decode_jwt(new["access_token"], project_key), app_url, rt_user, app, new["expires_in"])
    row = token_row(db, new["access_token"])
    check_row(db, row, new["access_token"], new["refresh_token"], new["scope"], rt_user, app, UA)
    assert row["id"] != old_row["id"]
    assert token_row(db, old["access_token"])["status"] == 2, "the old row is retired"
    assert statuses(db, rt_user.id, app.id) == {old_row["id"]: 2, row["id"]: 1}
    # the new refresh token is refreshable in turn
    newer = assert_token_response(refresh_grant(token_url, new["refresh_token"], (app.key, app.secret)))
    assert token_row(db, new["access_token"])["status"] == 2
    assert token_row(db, newer["access_token"])["status"] == 1


@pytest.mark.webserver
def test_refresh_json_body(token_url, db, rt_user, app):
    old = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    new = assert_token_response(refresh_grant(token_url, old["refresh_token"], (app.key, app.secret), where="body",
                                              json_body=True))
    assert new["scope"] == "default"
    assert token_row(db, old["access_token"])["status"] == 2


def test_refresh_ignores_scope_parameter(token_url, db, rt_user, app):
    old = assert_token_response(password_grant(token_url, app, rt_user, scope="authorization,default"))
    new = assert_token_response(refresh_grant(token_url, old["refresh_token"], (app.key, app.secret), scope="default"))
    assert new["scope"] == "authorization,default"
    assert token_row(db, new["access_token"])["scope"] == "authorization,default"
    newer = assert_token_response(refresh_grant(token_url, new["refresh_token"], (app.key, app.secret),
                                                scope="authorization,default,consumer"))
    assert newer["scope"] == "authorization,default", "no up-scoping either"


def test_refresh_keeps_scopes_the_user_lost(token_url, db, owner):
    # §4.5 step 3: the stored scope list is reused as it is
    u = create_user("Consumer")
    a = create_app(owner, "authorization,default")
    old = assert_token_response(password_grant(token_url, a, u, scope="authorization,default"))
    set_user_scopes(db, u.id, ["authorization"])
    new = assert_token_response(refresh_grant(token_url, old["refresh_token"], (a.key, a.secret)))
    assert new["scope"] == "authorization,default"


def test_refresh_reuse_is_refused_and_revokes_the_family(token_url, db, rt_user, app, other_app):
    sibling = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    elsewhere = assert_token_response(password_grant(token_url, other_app, rt_user, scope="default"))
    a = assert_token_response(password_grant(token_url, app, rt_user, scope="authorization"))
    b = assert_token_response(refresh_grant(token_url, a["refresh_token"], (app.key, app.secret)))
    assert token_row(db, b["access_token"])["status"] == 1

    r = refresh_grant(token_url, a["refresh_token"], (app.key, app.secret))      # replay of the rotated token
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid refresh token")
    assert token_row(db, b["access_token"])["status"] == 2, "the rotated-to token is revoked"
    assert token_row(db, sibling["access_token"])["status"] == 2, "every active token of user + app is revoked"
    assert token_row(db, elsewhere["access_token"])["status"] == 1, "tokens of another app stay"
    assert all(s == 2 for s in statuses(db, rt_user.id, app.id).values())
    # b was revoked, so b cannot be refreshed any more either
    assert_oauth_error(refresh_grant(token_url, b["refresh_token"], (app.key, app.secret)), 400, "invalid_grant")
    n = len(statuses(db, rt_user.id, app.id))
    assert_oauth_error(refresh_grant(token_url, a["refresh_token"], (app.key, app.secret)), 400, "invalid_grant")
    assert len(statuses(db, rt_user.id, app.id)) == n, "no row is created by a refused refresh"


def test_refresh_replay_does_not_queue_behind_a_revocation_of_the_same_token(token_url, db, rt_user, app):
    """A replay whose token row another transaction holds answers at once: that transaction (here the test, standing
    for another replay's family revocation, whose scan of the user's tokens can take long) revokes the family; a
    burst of replays of one token must not hold one request thread each in a queue of row-lock waits."""
    a = assert_token_response(password_grant(token_url, app, rt_user, scope="authorization"))
    b = assert_token_response(refresh_grant(token_url, a["refresh_token"], (app.key, app.secret)))
    holder = db_connect()
    try:
        holder.begin()
        # by primary key: a scan (no index starts with refresh) would lock every row it reads
        q(holder, "SELECT id FROM fusio_token WHERE id = %s FOR UPDATE", (row_by_refresh(db, a["refresh_token"])["id"],))
        # without SKIP LOCKED this waits for the holder (innodb_lock_wait_timeout: 50 s) and times out here
        r = post_token(token_url, data={"grant_type": "refresh_token", "refresh_token": a["refresh_token"]},
                       auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=5)
        assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid refresh token")
        assert token_row(db, b["access_token"])["status"] == 1, "the revocation in progress is the holder's to do"
    finally:
        holder.rollback()
        holder.close()
    r = refresh_grant(token_url, a["refresh_token"], (app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid refresh token")
    assert token_row(db, b["access_token"])["status"] == 2, "with the row free, the replay revokes the family"


def test_replays_of_a_family_being_revoked_leave_it_to_that_revocation(db, owner):
    """Two rotated refresh tokens of one chain presented at once (a stolen chain replayed): while the first replay's
    revocation runs — here held up by the test's lock on an active token of the family, older than the chain, so
    the revocation meets it before the chain's rows — the second, another token, so another row, answers at once
    instead of revoking and waiting too (FamilyRevocations). One worker process, so both land where the first one
    is registered."""
    user = create_user("Consumer")
    app = create_app(owner, "authorization,default")
    with Pool("family-revocation", workers=1, threads=4) as pool:
        sibling = assert_token_response(password_grant(pool.token_url, app, user, scope="default"))
        first = assert_token_response(password_grant(pool.token_url, app, user, scope="authorization"))
        second = assert_token_response(refresh_grant(pool.token_url, first["refresh_token"], (app.key, app.secret)))
        live = assert_token_response(refresh_grant(pool.token_url, second["refresh_token"], (app.key, app.secret)))
        holder = db_connect()
        with cf.ThreadPoolExecutor(1) as ex:
            try:
                holder.begin()
                q(holder, "SELECT id FROM fusio_token WHERE id = %s FOR UPDATE", (token_row(db, sibling["access_token"])["id"],))
                replay_one = ex.submit(refresh_grant, pool.token_url, first["refresh_token"], (app.key, app.secret))
                # the server's own connections are visible to this user (no PROCESS privilege needed)
                wait_until(lambda: q(db, "SELECT 1 FROM information_schema.PROCESSLIST "
                                         "WHERE INFO LIKE 'UPDATE fusio_token SET status = 2 WHERE tenant_id%%'"),
                           10, what="the first replay's revocation waiting for the family's active row")
                r = post_token(pool.token_url, data={"grant_type": "refresh_token",
                                                     "refresh_token": second["refresh_token"]},
                               auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=5)
                assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid refresh token")
                assert not replay_one.done(), "the first replay did not wait for the test's lock"
            finally:
                holder.rollback()
                holder.close()
            assert_oauth_error(replay_one.result(timeout=30), 400, "invalid_grant", (app.secret,))
    assert token_row(db, live["access_token"])["status"] == 2, "the first replay revoked the family"
    assert token_row(db, sibling["access_token"])["status"] == 2


def test_refresh_of_a_revoked_token(token_url, db, rt_user, app):
    live = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    t = assert_token_response(password_grant(token_url, app, rt_user, scope="authorization"))
    q(db, "UPDATE fusio_token SET status = 2 WHERE refresh = %s", (t["refresh_token"],))   # revoked, e.g. by PHP
    r = refresh_grant(token_url, t["refresh_token"], (app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid refresh token")
    assert token_row(db, live["access_token"])["status"] == 2, "presenting a revoked token revokes the family"


def test_refresh_unknown(token_url, db, rt_user, app):
    live = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    fake = "0" * 20 + "-" + "0" * 48 + "-" + "0" * 10
    assert_oauth_error(refresh_grant(token_url, fake, (app.key, app.secret)), 400, "invalid_grant", (app.secret,))
    assert token_row(db, live["access_token"])["status"] == 1, "an unknown token revokes nothing"


def test_refresh_missing_parameter(token_url, app):
    r = token_request(token_url, {"grant_type": "refresh_token"}, auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), "Parameter refresh_token is missing")


def test_refresh_without_credentials(token_url, db, rt_user, app):
    t = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    r = refresh_grant(token_url, t["refresh_token"], None)
    assert_oauth_error(r, 400, "invalid_request")
    assert row_by_refresh(db, t["refresh_token"])["status"] == 1


def test_refresh_expired(token_url, db, rt_user, app):
    t = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    issued = utcnow() - dt.timedelta(days=3, seconds=60)          # FUSIO_EXPIRE_REFRESH = P3D
    set_token_date(db, t["refresh_token"], issued, issued + dt.timedelta(days=2))
    r = refresh_grant(token_url, t["refresh_token"], (app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Refresh token is expired")


def test_refresh_after_the_access_token_expired(token_url, db, rt_user, app):
    t = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    issued = utcnow() - dt.timedelta(days=3) + dt.timedelta(seconds=120)   # access token expired a day ago
    set_token_date(db, t["refresh_token"], issued, issued + dt.timedelta(days=2))
    new = assert_token_response(refresh_grant(token_url, t["refresh_token"], (app.key, app.secret)))
    row = token_row(db, new["access_token"])
    assert abs((row["date"] - utcnow()).total_seconds()) <= 10, "a new refresh window starts now"
    assert row_by_refresh(db, t["refresh_token"])["status"] == 2


# ----------------------------------------------------------------------------- client binding (§8.2 item 3)
@pytest.mark.parametrize("where", ["basic", "body"])
def test_refresh_app_token_needs_its_own_app(where, token_url, db, owner, rt_user, app, other_app):
    t = assert_token_response(password_grant(token_url, app, rt_user, scope="default"))
    before = statuses(db, rt_user.id, app.id)
    wrong = [
        (other_app.key, other_app.secret),          # another valid app
        (app.key, other_app.secret),                # the right key with a wrong secret
        (rt_user.name, rt_user.password),           # the token's user
        (owner.name, owner.password),               # the app's owner
    ]
    for client in wrong:
        r = refresh_grant(token_url, t["refresh_token"], client, where=where)
        assert_oauth_error(r, 401, "invalid_client", (app.secret, other_app.secret, rt_user.password, owner.password))
    assert statuses(db, rt_user.id, app.id) == before, "failed client authentication changes nothing"
    assert_token_response(refresh_grant(token_url, t["refresh_token"], (app.key, app.secret), where=where))


def test_refresh_app_token_of_a_deactivated_app(token_url, db, owner, rt_user):
    a = create_app(owner, "authorization,default")
    t = assert_token_response(password_grant(token_url, a, rt_user, scope="default"))
    set_app_status(db, a.id, 3)
    r = refresh_grant(token_url, t["refresh_token"], (a.key, a.secret))
    assert_oauth_error(r, 401, "invalid_client", (a.secret,))
    assert row_by_refresh(db, t["refresh_token"])["status"] == 1


@pytest.mark.parametrize("status", [0, 2])
def test_refresh_user_inactive_at_issue_time(status, token_url, db, app):
    u = create_user("Consumer")
    t = assert_token_response(password_grant(token_url, app, u, scope="default"))
    set_user_status(db, u.id, status)
    r = refresh_grant(token_url, t["refresh_token"], (app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,))
    assert len(statuses(db, u.id, app.id)) == 1, "no new row for an inactive user"


@pytest.fixture()
def appless(token_url, db) -> tuple[User, dict]:
    """A user and an app-less token obtained with the user's credentials as client (client_credentials)."""
    u = create_user("Consumer")
    t = assert_token_response(token_request(token_url, {"grant_type": "client_credentials",
                                                        "scope": "authorization,default"}, auth=(u.name, u.password)))
    assert token_row(db, t["access_token"])["app_id"] is None
    return u, t


@pytest.mark.parametrize("login", ["name", "email", "NAME"])
@pytest.mark.parametrize("where", ["basic", "body"])
def test_refresh_appless_token_by_its_user(login, where, token_url, app_url, project_key, db, appless):
    u, t = appless
    client_id = {"name": u.name, "email": u.email, "NAME": u.name.upper()}[login]
    new = assert_token_response(refresh_grant(token_url, t["refresh_token"], (client_id, u.password), where=where))
    assert new["scope"] == "authorization,default"
    jwt = decode_jwt(new["access_token"], project_key)
    assert "aud" not in jwt.claims
    check_claims(jwt, app_url, u, None, new["expires_in"])
    row = token_row(db, new["access_token"])
    check_row(db, row, new["access_token"], new["refresh_token"], new["scope"], u, None, UA)
    assert row_by_refresh(db, t["refresh_token"])["status"] == 2


def test_refresh_appless_token_needs_its_user(token_url, db, appless, person, app):
    u, t = appless
    for client in [(u.name, u.password + "x"), (person.name, person.password), (app.key, app.secret)]:
        r = refresh_grant(token_url, t["refresh_token"], client)
        assert_oauth_error(r, 401, "invalid_client", (u.password, person.password, app.secret))
    assert row_by_refresh(db, t["refresh_token"])["status"] == 1
    assert_token_response(refresh_grant(token_url, t["refresh_token"], (u.name, u.password)))


def test_refresh_appless_reuse_revokes_the_users_appless_tokens(token_url, db, appless, app):
    u, t = appless
    with_app = assert_token_response(password_grant(token_url, app, u, scope="default"))
    new = assert_token_response(refresh_grant(token_url, t["refresh_token"], (u.name, u.password)))
    r = refresh_grant(token_url, t["refresh_token"], (u.name, u.password))
    assert_oauth_error(r, 400, "invalid_grant", (u.password,), "Invalid refresh token")
    assert token_row(db, new["access_token"])["status"] == 2
    assert token_row(db, with_app["access_token"])["status"] == 1, "the family is user + app NULL"


def test_refresh_of_a_code_token(token_url, db, person, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, person, "authorization", REDIRECT, challenge=challenge, method="S256")
    t = assert_token_response(code_grant(token_url, code, client_id=app.key, redirect_uri=REDIRECT, verifier=verifier))
    new = assert_token_response(refresh_grant(token_url, t["refresh_token"], (app.key, app.secret)))
    row = token_row(db, new["access_token"])
    assert row["app_id"] == app.id and row["user_id"] == person.id and row["scope"] == "authorization"
