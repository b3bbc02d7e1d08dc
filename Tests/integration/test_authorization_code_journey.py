"""The whole authorization-code journey with a standard client library (Authlib's requests OAuth2Session), issue 4
"Tests": consumer login -> POST /consumer/authorize (with and without PKCE S256) -> /authorization/token
(Authlib fetch_token with the code and code_verifier) -> whoami -> revoke -> whoami 401; the same through the HTML
consent page; and the chain of Fusio's built-in "Fusio" identity provider (§3.4.6).
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from conftest import App, User, create_app, create_user, decode_jwt, q1
from grantlib import check_claims, check_row, token_row
from resourcelib import (AUTHORIZE_HTML, INTROSPECT, REVOKE, TOKEN, UA, WHOAMI, assert_bearer_401, authorize_body,
                         challenge_row, code_rows, consent_form_data, consumer_authorize, consumer_login, get_consent,
                         php_lookup, post_consent, query_of)

try:
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session, OAuthError
except ImportError as e:   # pragma: no cover - reported by every test below instead of a collection error
    OAuth2Session = None
    IMPORT_ERROR = e

CLIENT_URL = "https://client.example.org"
REDIRECT = "https://client.example.org/oauth/callback"


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,consumer,default", url=CLIENT_URL)


def session(app: App, method: str, **kw) -> OAuth2Session:
    if OAuth2Session is None:
        pytest.fail(f"authlib is not installed in the test virtualenv ({IMPORT_ERROR})", pytrace=False)
    secret = None if method == "none" else app.secret
    s = OAuth2Session(client_id=app.key, client_secret=secret, token_endpoint_auth_method=method,
                      revocation_endpoint_auth_method=method if method != "none" else "client_secret_basic",
                      redirect_uri=REDIRECT, scope="authorization,default", **kw)
    s.headers["User-Agent"] = UA
    return s


def check_whoami(s: OAuth2Session, base_url: str, user: User) -> dict:
    r = s.get(base_url + WHOAMI)          # Authlib adds "Authorization: Bearer <access token>"
    assert r.status_code == 200, f"whoami: HTTP {r.status_code}: {r.text[:300]}"
    body = r.json()
    assert body["id"] == user.id and body["name"] == user.name and body["email"] == user.email, body
    assert "authorization" in body["scopes"], body
    return body


def check_issued(db, token: dict, user: User, app: App, app_url: str, project_key: bytes) -> None:
    assert token["token_type"] == "bearer" and token["scope"] == "authorization,default", token
    check_claims(decode_jwt(token["access_token"], project_key), app_url, user, app, token["expires_in"])
    row = token_row(db, token["access_token"])
    check_row(db, row, token["access_token"], token["refresh_token"], token["scope"], user, app, UA)
    assert len(php_lookup(db, token["access_token"])) == 1, "PHP's lookup finds the token"


# ============================================================================= JSON API (the developer portal's path)
@pytest.mark.webserver
@pytest.mark.parametrize("pkce,method", [(True, "none"), (True, "client_secret_basic"), (False, "client_secret_basic"),
                                         (False, "client_secret_post")])
def test_journey_json_api(pkce, method, base_url, app_url, project_key, db, app):
    user = create_user("Consumer")
    login = consumer_login(base_url, user)                         # 1. the portal logs the user in
    s = session(app, method, code_challenge_method="S256" if pkce else None)
    verifier = generate_token(64) if pkce else None
    url, state = s.create_authorization_url(base_url + AUTHORIZE_HTML, code_verifier=verifier)
    params = query_of(url)
    assert ("code_challenge" in params) == pkce

    # 2. the portal posts the user's decision with the user's token
    body = authorize_body(app, REDIRECT, params["scope"], state, challenge=params.get("code_challenge"),
                          method=params.get("code_challenge_method"))
    r = consumer_authorize(base_url, login["token"], body)
    assert r.status_code == 200, r.text[:300]
    result = r.json()
    assert result["type"] == "code" and result["state"] == state, result
    code_row_id = db_code_id(db, result["code"])
    assert (challenge_row(db, code_row_id) is not None) == pkce

    # 3. the client exchanges the code (Authlib parses redirectUri and checks the state)
    token = s.fetch_token(base_url + TOKEN, authorization_response=result["redirectUri"], state=state,
                          code_verifier=verifier)
    check_issued(db, token, user, app, app_url, project_key)

    # 4. whoami with the new token
    check_whoami(s, base_url, user)

    # 5. revoke (Fusio's form: the token revokes itself) -> 6. whoami refuses it
    r = s.post(base_url + REVOKE)
    assert r.status_code == 200 and r.json() == {"success": True}, r.text[:300]
    assert_bearer_401(s.get(base_url + WHOAMI), app_url)
    assert php_lookup(db, token["access_token"]) == []
    # the refresh token of the revoked token is dead as well
    if method != "none":
        with pytest.raises(OAuthError) as exc:
            s.refresh_token(base_url + TOKEN, refresh_token=token["refresh_token"])
        assert exc.value.error == "invalid_grant"


def db_code_id(db, code: str) -> int:
    row = q1(db, "SELECT id FROM fusio_app_code WHERE code = %s", (code,))
    assert row is not None, "no fusio_app_code row"
    return row["id"]


def test_journey_json_api_code_is_single_use(base_url, db, app):
    user = create_user("Consumer")
    login = consumer_login(base_url, user)
    s = session(app, "client_secret_basic")
    r = consumer_authorize(base_url, login["token"], authorize_body(app, REDIRECT, "authorization,default", "st"))
    redirect = r.json()["redirectUri"]
    first = s.fetch_token(base_url + TOKEN, authorization_response=redirect, state="st")
    check_whoami(s, base_url, user)
    s2 = session(app, "client_secret_basic")
    with pytest.raises(OAuthError) as exc:
        s2.fetch_token(base_url + TOKEN, authorization_response=redirect, state="st")
    assert exc.value.error == "invalid_grant"
    r = requests.get(base_url + WHOAMI, headers={"Authorization": f"Bearer {first['access_token']}",
                                                 "User-Agent": UA}, timeout=20)
    assert r.status_code == 401, "the replay revoked the token issued from the code"


# ============================================================================= HTML consent page
@pytest.mark.webserver
@pytest.mark.parametrize("method", ["none", "client_secret_post"])
def test_journey_html_page(method, base_url, app_url, project_key, db, app):
    user = create_user("Consumer")
    s = session(app, method, code_challenge_method="S256")
    verifier = generate_token(64)
    url, state = s.create_authorization_url(base_url + AUTHORIZE_HTML, code_verifier=verifier)
    r, page = get_consent(url)                                         # what the browser shows
    resp = post_consent(url, consent_form_data(page, user.name, user.password))
    assert resp.status_code == 302, f"HTTP {resp.status_code}: {resp.text[:300]}"
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    assert query_of(location)["state"] == state

    token = s.fetch_token(base_url + TOKEN, authorization_response=location, state=state, code_verifier=verifier)
    check_issued(db, token, user, app, app_url, project_key)
    check_whoami(s, base_url, user)

    # introspection and RFC 7009 revocation by the confidential client
    admin = session(app, "client_secret_basic")
    r = admin.introspect_token(base_url + INTROSPECT, token=token["access_token"])
    assert r.status_code == 200 and r.json()["active"] is True and r.json()["username"] == user.name, r.text[:300]
    r = admin.revoke_token(base_url + REVOKE, token=token["access_token"], token_type_hint="access_token")
    assert r.status_code == 200 and r.json() == {}, r.text[:300]
    r = admin.introspect_token(base_url + INTROSPECT, token=token["access_token"])
    assert r.json() == {"active": False}
    assert_bearer_401(s.get(base_url + WHOAMI), app_url)


def test_journey_html_deny(base_url, db, app):
    user = create_user("Consumer")
    s = session(app, "client_secret_basic")
    url, state = s.create_authorization_url(base_url + AUTHORIZE_HTML)
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, user.name, user.password, allow=False))
    assert resp.status_code == 302
    params = query_of(resp.headers["Location"])
    assert params == {"error": "access_denied", "error_description": "The access was denied by the user",
                      "state": state}
    assert code_rows(db, app.id, user.id) == [], "a denial writes no code"


# ============================================================================= Fusio's built-in identity provider
def test_fusio_identity_provider_chain(base_url, app_url, project_key, db, owner):
    """§3.4.6: GET /authorization/authorize without scope, redirect to {base}/consumer/identity/{id}/exchange, the
    code exchanged with client_secret_post, then whoami with the new token."""
    a = create_app(owner, "authorization,consumer,default", url=app_url)
    user = create_user("Consumer")
    redirect = f"{app_url}/consumer/identity/7/exchange"
    q = urllib.parse.urlencode({"response_type": "code", "client_id": a.key, "state": "fusio-state",
                                "redirect_uri": redirect})
    url = f"{base_url}{AUTHORIZE_HTML}?{q}"
    r, page = get_consent(url)
    assert len(page.scope_boxes) >= 3, "without scope: every scope of the app"
    resp = post_consent(url, consent_form_data(page, user.name, user.password))
    assert resp.status_code == 302, resp.text[:300]
    loc = resp.headers["Location"]
    assert loc.startswith(redirect + "?code=") and loc.endswith("&state=fusio-state"), loc
    code = query_of(loc)["code"]
    tr = requests.post(base_url + TOKEN, data={"grant_type": "authorization_code", "code": code, "client_id": a.key,
                                               "client_secret": a.secret, "redirect_uri": redirect},
                       headers={"User-Agent": UA}, timeout=20)
    assert tr.status_code == 200, tr.text[:300]
    token = tr.json()
    assert "authorization" in token["scope"].split(",")
    w = requests.get(base_url + WHOAMI, headers={"Authorization": f"Bearer {token['access_token']}",
                                                 "User-Agent": UA}, timeout=20)
    assert w.status_code == 200 and w.json()["id"] == user.id, w.text[:300]
