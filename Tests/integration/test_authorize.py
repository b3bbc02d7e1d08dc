"""The authorize step (issue 4, reference §3.4.1-§3.4.4 with the issue's fixes), end to end through nginx:

* `GET /consumer/authorize?client_id&scope` (the app and its grantable scopes) and `POST /consumer/authorize`
  (JSON, with the user's bearer token granting consumer.account) -> the §3.4.3 result object, always 200;
* the HTML consent page `GET|POST /authorization/authorize`: every value HTML-escaped, a stateless CSRF token
  bound to the query with a short expiry, X-Frame-Options DENY, a restrictive CSP, no-store, 302 to the redirect
  URI on success and on denial, 400 HTML for bad credentials or a bad CSRF token (no code row written).

Redirect URIs must be http(s) with the app URL's host or a dot-boundary subdomain of it. An empty scope result is
`invalid_scope`. Codes: 16 hex, row in fusio_app_code (redirect_uri as given, scope comma-joined in the user's
order, date UTC now), consent in fusio_user_grant, PKCE challenge in fusioauth_code_challenge (method "plain" when
none is given). Denial revokes the user's tokens for that app.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import urllib.parse

import pytest
import requests

from conftest import App, User, create_app, create_user, q, q1, utcnow
from grantlib import FULL_CONSUMER, pkce_pair, set_user_status, statuses
from resourcelib import (AUTHORIZE_HTML, CODE_RE, CONSUMER_AUTHORIZE, UA, add_app_scope,
                         assert_bearer_401, assert_generic, assert_html_headers, assert_inert_html, assert_json,
                         authorize_body, authorize_url, b64url, challenge_row, check_cors, code_rows, consent_form_data,
                         consumer_authorize, consumer_login, create_scope, get_consent, grant_row, mint_php_token,
                         parse_page, password_token, poll, post_consent, query_of, redirect_with, scope_id,
                         token_status)

APP_URL = "https://client.example.org"
REDIRECT = "https://client.example.org/callback"
DENIED = "The access was denied by the user"


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,consumer,default", url=APP_URL)


@pytest.fixture(scope="module")
def person() -> User:
    """The resource owner who approves (or denies) the apps."""
    return create_user("Consumer")


@pytest.fixture(scope="module")
def person_token(base_url, person) -> str:
    """The person's /consumer/login token (all Consumer scopes, so consumer.account too)."""
    return consumer_login(base_url, person)["token"]


def fresh_app(owner: User, url: str = APP_URL, scopes: str = "authorization,consumer,default") -> App:
    return create_app(owner, scopes, url=url)


def check_code_row(db, code: str, app: App, user: User, redirect_uri: str | None, scope: str) -> dict:
    row = q1(db, "SELECT * FROM fusio_app_code WHERE code = %s", (code,))
    assert row is not None, "no fusio_app_code row for the code"
    assert row["app_id"] == app.id and row["user_id"] == user.id
    assert row["redirect_uri"] == redirect_uri, f"redirect_uri {row['redirect_uri']!r} != {redirect_uri!r}"
    assert row["scope"] == scope, f"scope {row['scope']!r} != {scope!r}"
    assert abs((row["date"] - utcnow()).total_seconds()) <= 10, f"date {row['date']} is not UTC now"
    return row


def check_grant(db, user: User, app: App) -> None:
    g = grant_row(db, user.id, app.id)
    assert g is not None and g["allow"] == 1, f"consent row {g}"
    assert abs((g["date"] - utcnow()).total_seconds()) <= 10


def success(r: requests.Response, redirect: str | None, state: str | None) -> str:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:500]}"
    body = assert_json(r)
    assert body.get("type") == "code", body
    code = body.get("code")
    assert isinstance(code, str) and re.match(CODE_RE, code), body
    expected = {"type": "code", "code": code}
    if state is not None:
        expected["state"] = state
    if redirect is not None:
        params = {"code": code}
        if state is not None:
            params["state"] = state
        expected["redirectUri"] = redirect_with(redirect, params)
    assert body == expected, f"\n got      {body}\n expected {expected}"
    return code


def error(r: requests.Response, type_: str, state: str | None = "st") -> dict:
    assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:500]}"
    body = assert_json(r)
    assert body.get("type") == type_, body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert "code" not in body, body
    assert set(body) <= {"type", "error", "state", "redirectUri"}, body
    if state is not None:
        assert body.get("state") == state, body
    return body


def scopes_of(db, names: list[str]) -> list[dict]:
    out = []
    for n in names:
        row = q1(db, "SELECT id, name, description FROM fusio_scope WHERE tenant_id IS NULL AND name = %s", (n,))
        out.append({"id": row["id"], "name": row["name"], "description": row["description"]})
    return out


# ============================================================================= GET /consumer/authorize (§3.4.4)
def test_get_app_without_scope(base_url, db, app):
    r = requests.get(base_url + CONSUMER_AUTHORIZE, params={"client_id": app.key}, headers={"User-Agent": UA},
                     timeout=20)
    assert r.status_code == 200, r.text[:300]
    body = assert_json(r)
    expected = {"id": app.id, "name": app.name, "url": APP_URL, "scopes": scopes_of(db, FULL_CONSUMER)}
    assert body == expected, f"\n got      {body}\n expected {expected}"
    assert list(body) == ["id", "name", "url", "scopes"]
    assert all(list(s) == ["id", "name", "description"] for s in body["scopes"])


@pytest.mark.webserver
@pytest.mark.parametrize("scope,names", [
    ("default,backend,authorization,nosuch", ["authorization", "default"]),     # app order, not request order
    ("default authorization", ["authorization", "default"]),                    # space-separated
    ("consumer.app", ["consumer.app"]),                                         # a sub-scope of an app root scope
    ("backend", []),
])
def test_get_app_with_scope(scope, names, base_url, db, app):
    r = requests.get(base_url + CONSUMER_AUTHORIZE, params={"client_id": app.key, "scope": scope},
                     headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, r.text[:300]
    assert assert_json(r) == {"id": app.id, "name": app.name, "url": APP_URL, "scopes": scopes_of(db, names)}


@pytest.mark.parametrize("case", ["unknown", "pending", "deactivated", "deleted"])
def test_get_app_unknown_or_inactive(case, base_url, db, owner):
    if case == "unknown":
        client_id = "00000000-0000-4000-8000-000000000000"
    else:
        a = fresh_app(owner)
        q(db, "UPDATE fusio_app SET status = %s WHERE id = %s", ({"pending": 2, "deactivated": 3, "deleted": 4}[case],
                                                                  a.id))
        client_id = a.key
    r = requests.get(base_url + CONSUMER_AUTHORIZE, params={"client_id": client_id}, headers={"User-Agent": UA},
                     timeout=20)
    assert_generic(r, 404)


# ============================================================================= POST /consumer/authorize (§3.4.3)
@pytest.mark.webserver
def test_post_code(base_url, db, app, person, person_token):
    before = len(code_rows(db, app.id, person.id))
    r = consumer_authorize(base_url, person_token,
                           authorize_body(app, REDIRECT, "bar,default,backend,authorization,consumer.app", "state"))
    code = success(r, REDIRECT, "state")
    # user's order (consumer.app comes from the consumer root scope, listed first), ∩ app ∩ requested
    row = check_code_row(db, code, app, person, REDIRECT, "consumer.app,authorization,default")
    assert challenge_row(db, row["id"]) is None, "no PKCE requested: no challenge row"
    assert len(code_rows(db, app.id, person.id)) == before + 1
    check_grant(db, person, app)


def test_post_code_state_is_form_encoded(base_url, db, app, person_token):
    state = "a b/c&d=e+f?g#h"
    r = consumer_authorize(base_url, person_token, authorize_body(app, REDIRECT, "authorization", state))
    code = success(r, REDIRECT, state)
    assert query_of(r.json()["redirectUri"]) == {"code": code, "state": state}
    assert "+" in r.json()["redirectUri"], "http_build_query (RFC 1738) writes a space as '+'"


def test_post_code_without_state(base_url, db, app, person, person_token):
    r = consumer_authorize(base_url, person_token, authorize_body(app, REDIRECT, "authorization", state=None))
    code = success(r, REDIRECT, None)
    check_code_row(db, code, app, person, REDIRECT, "authorization")


@pytest.mark.parametrize("method", ["S256", "plain", None])
def test_post_code_with_pkce(method, base_url, db, app, person, person_token):
    verifier, challenge = pkce_pair("plain" if method in ("plain", None) else "S256")
    r = consumer_authorize(base_url, person_token, authorize_body(app, REDIRECT, "authorization", "st",
                                                                  challenge=challenge, method=method))
    code = success(r, REDIRECT, "st")
    row = check_code_row(db, code, app, person, REDIRECT, "authorization")
    ch = challenge_row(db, row["id"])
    assert ch is not None, "the challenge is stored in fusioauth_code_challenge"
    assert ch["challenge"] == challenge
    assert ch["method"] == (method or "plain"), "no method given: plain (RFC 7636 §4.3)"


@pytest.mark.parametrize("redirect", [
    "https://client.example.org/other/path",
    "http://client.example.org/callback",               # http is allowed (Fusio: http or https)
    "https://sub.client.example.org/cb",                 # a subdomain on a dot boundary
    "https://a.b.client.example.org/cb",
    "https://client.example.org:8443/cb",                # the host decides, not the port
])
def test_post_redirect_uri_accepted(redirect, base_url, db, app, person, person_token):
    r = consumer_authorize(base_url, person_token, authorize_body(app, redirect, "authorization", "st"))
    code = success(r, redirect, "st")
    check_code_row(db, code, app, person, redirect, "authorization")


@pytest.mark.parametrize("redirect", [
    "https://evil-client.example.org/cb",                # Fusio's str_ends_with lets this pass (§8.2 item 6)
    "https://xclient.example.org/cb",
    "https://client.example.org.evil.test/cb",
    "https://client.example.org@evil.test/cb",           # userinfo trick: the host is evil.test
    "https://evil.test/client.example.org",
    "https://example.org/cb",                            # the parent domain is not the app's host
    "https://evil.test\\.client.example.org/cb",          # a browser reads the backslash as a path start
    "https://evil.test%2f.client.example.org/cb",
    "https://evil.test%40client.example.org/cb",
])
def test_post_redirect_uri_other_host_refused(redirect, base_url, db, app, person, person_token):
    before = len(code_rows(db, app.id, person.id))
    body = error(consumer_authorize(base_url, person_token, authorize_body(app, redirect, "authorization", "st")),
                 "invalid_request")
    host = urllib.parse.urlsplit(redirect).hostname
    assert host not in body.get("redirectUri", "") or body.get("redirectUri", "").startswith(APP_URL), \
        f"an error must not redirect to the refused host: {body}"
    assert len(code_rows(db, app.id, person.id)) == before, "no code row"


@pytest.mark.parametrize("redirect", ["javascript:alert(1)", "ftp://client.example.org/x", "client.example.org/cb",
                                      "https://", "//client.example.org/cb", "data:text/html,hi", "not a url"])
def test_post_redirect_uri_invalid(redirect, base_url, db, app, person, person_token):
    before = len(code_rows(db, app.id, person.id))
    body = error(consumer_authorize(base_url, person_token, authorize_body(app, redirect, "authorization", "st")),
                 "invalid_request")
    assert "redirectUri" not in body, "the URI is not valid: no redirect (§3.4.3 step 1)"
    assert len(code_rows(db, app.id, person.id)) == before


def test_post_app_without_url_host(base_url, db, owner, person, person_token):
    a = fresh_app(owner, url="https://app.example.net")
    q(db, "UPDATE fusio_app SET url = '' WHERE id = %s", (a.id,))
    r = consumer_authorize(base_url, person_token, authorize_body(a, "https://app.example.net/cb", "authorization"))
    body = error(r, r.json().get("type") if r.json().get("type") in ("server_error", "invalid_request") else "server_error")
    assert "redirectUri" not in body or not body["redirectUri"].startswith("https://app.example.net"), body
    assert code_rows(db, a.id, person.id) == []


def test_post_empty_scope_result_is_invalid_scope(base_url, db, app, person, person_token):
    before = len(code_rows(db, app.id, person.id))
    body = error(consumer_authorize(base_url, person_token, authorize_body(app, REDIRECT, "backend,nosuch", "st")),
                 "invalid_scope")
    if "redirectUri" in body:
        assert query_of(body["redirectUri"]).get("error") == "invalid_scope"
        assert body["redirectUri"].startswith(REDIRECT + "?")
    assert len(code_rows(db, app.id, person.id)) == before


def test_post_no_scope_is_invalid_request(base_url, db, app, person, person_token):
    error(consumer_authorize(base_url, person_token, authorize_body(app, REDIRECT, "", "st")), "invalid_request")


def test_post_unsupported_response_type(base_url, db, app, person, person_token):
    body = error(consumer_authorize(base_url, person_token,
                                    authorize_body(app, REDIRECT, "authorization", "st", response_type="token")),
                 "unsupported_response_type")
    if "redirectUri" in body:
        assert query_of(body["redirectUri"])["error"] == "unsupported_response_type"


@pytest.mark.parametrize("case", ["unknown", "empty", "deactivated"])
def test_post_bad_client(case, base_url, db, owner, person, person_token):
    a = fresh_app(owner)
    if case == "deactivated":
        q(db, "UPDATE fusio_app SET status = 3 WHERE id = %s", (a.id,))
    b = authorize_body(a, REDIRECT, "authorization", "st")
    if case == "unknown":
        b["clientId"] = "00000000-0000-4000-8000-000000000000"
    elif case == "empty":
        b["clientId"] = ""
    error(consumer_authorize(base_url, person_token, b), "invalid_request")
    assert code_rows(db, a.id, person.id) == []


def test_post_deny(base_url, app_url, db, owner, person, person_token):
    a = fresh_app(owner)
    other = fresh_app(owner)
    with_app = password_token(base_url, a, person, "authorization")["access_token"]
    with_other = password_token(base_url, other, person, "authorization")["access_token"]
    r = consumer_authorize(base_url, person_token, authorize_body(a, REDIRECT, "authorization", "st", allow=False))
    assert r.status_code == 200, r.text[:300]
    assert assert_json(r) == {
        "type": "access_denied", "error": DENIED, "state": "st",
        "redirectUri": REDIRECT + "?error=access_denied&error_description=The+access+was+denied+by+the+user&state=st"}
    assert token_status(db, with_app) == 2, "denial revokes the user's tokens for that app"
    assert all(s == 2 for s in statuses(db, person.id, a.id).values())
    assert token_status(db, with_other) == 1, "tokens for other apps stay"
    assert token_status(db, person_token) == 1, "the app-less login token used for the call stays"
    assert code_rows(db, a.id, person.id) == []
    assert grant_row(db, person.id, a.id) is None, "a denial records no consent"


def test_post_deny_without_redirect(base_url, db, owner, person, person_token):
    a = fresh_app(owner)
    r = consumer_authorize(base_url, person_token, authorize_body(a, None, "authorization", "st", allow=False))
    assert r.status_code == 200
    assert assert_json(r) == {"type": "access_denied", "error": DENIED, "state": "st"}


def test_post_consent_is_upserted(base_url, db, owner, person, person_token):
    a = fresh_app(owner)
    q(db, "INSERT INTO fusio_user_grant (user_id, app_id, allow, date) VALUES (%s, %s, 0, '2020-01-01 00:00:00')",
      (person.id, a.id))
    success(consumer_authorize(base_url, person_token, authorize_body(a, REDIRECT, "authorization", "st")),
            REDIRECT, "st")
    rows = q(db, "SELECT * FROM fusio_user_grant WHERE user_id = %s AND app_id = %s", (person.id, a.id))
    assert len(rows) == 1 and rows[0]["allow"] == 1
    assert abs((rows[0]["date"] - utcnow()).total_seconds()) <= 10


@pytest.mark.parametrize("case", ["none", "garbage", "no_consumer_account_scope", "revoked", "other_scheme"])
def test_post_needs_a_valid_token(case, base_url, app_url, project_key, db, app, person):
    headers = {}
    token = None
    if case == "garbage":
        token = "x.y.z"
    elif case == "no_consumer_account_scope":
        token = mint_php_token(db, project_key, app_url, person, None, "authorization,default").token
    elif case == "revoked":
        token = mint_php_token(db, project_key, app_url, person, None, "consumer", status=2).token
    elif case == "other_scheme":
        headers = {"Authorization": "Basic " + b64url(f"{person.name}:{person.password}".encode())}
    before = len(code_rows(db, app.id, person.id))
    r = consumer_authorize(base_url, token, authorize_body(app, REDIRECT, "authorization", "st"), headers=headers)
    assert_bearer_401(r, app_url)
    assert len(code_rows(db, app.id, person.id)) == before


@pytest.mark.parametrize("raw,content_type", [("not json", "application/json"), ("{\"allow\": ", "application/json"),
                                              ("[1, 2]", "application/json"), ("", "application/json")])
def test_post_malformed_body_is_a_client_error(raw, content_type, base_url, person_token):
    r = requests.post(base_url + CONSUMER_AUTHORIZE, data=raw.encode(), timeout=20,
                      headers={"Authorization": f"Bearer {person_token}", "Content-Type": content_type,
                               "User-Agent": UA})
    assert r.status_code != 500 and (r.status_code == 200 or 400 <= r.status_code < 500), r.text[:300]
    if r.status_code == 200:                     # read as an empty request: an error result, no code
        assert r.json().get("type") in ("unsupported_response_type", "invalid_request"), r.text[:300]
    else:
        assert_generic(r, r.status_code)


def test_post_empty_object(base_url, person_token):
    r = consumer_authorize(base_url, person_token, {})
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 200:
        assert r.json().get("type") in ("unsupported_response_type", "invalid_request"), r.text[:300]
        assert "code" not in r.json()


def test_post_token_with_consumer_account_only(base_url, app_url, project_key, db, app, person):
    m = mint_php_token(db, project_key, app_url, person, None, "consumer.account")
    code = success(consumer_authorize(base_url, m.token, authorize_body(app, REDIRECT, "authorization", "st")),
                   REDIRECT, "st")
    check_code_row(db, code, app, person, REDIRECT, "authorization")


def test_post_inactive_user(base_url, app_url, project_key, db, app):
    u = create_user("Consumer")
    token = consumer_login(base_url, u)["token"]
    set_user_status(db, u.id, 2)
    assert_bearer_401(consumer_authorize(base_url, token, authorize_body(app, REDIRECT, "authorization")), app_url)
    assert code_rows(db, app.id, u.id) == []


# ============================================================================= HTML consent page (§3.4.1-§3.4.2)
def page_url(base_url, app: App, scope: str | None = "authorization,default", state: str | None = "xyz",
             redirect: str | None = REDIRECT, **kw) -> str:
    return authorize_url(base_url, app.key, redirect, scope, state, **kw)


@pytest.mark.webserver
def test_page_structure(base_url, db, app):
    r, page = get_consent(page_url(base_url, app, scope="default,authorization,backend"))
    assert_html_headers(r)
    form = page.form
    assert form["attrs"].get("method", "").upper() == "POST"
    assert "action" not in form["attrs"], "the form posts back to the same URL (query included)"
    user = page.field("username")
    assert user.get("type", "text") in ("text", "email")
    assert page.field("password").get("type") == "password"
    csrf = page.field("csrf")
    assert csrf.get("type") == "hidden" and csrf.get("value"), csrf
    boxes = page.scope_boxes
    assert set(boxes) == {scope_id(db, "authorization"), scope_id(db, "default")}, \
        f"scope boxes {boxes}: requested ∩ app, backend is not the app's"
    for b in boxes.values():
        assert b.get("type") == "checkbox" and b.get("value") == "on" and "checked" in b, b
    allow = [f for f in form["fields"] if f.get("name") == "allow"]
    deny = [f for f in form["fields"] if f.get("name") == "deny"]
    assert len(allow) == 1 and allow[0].get("value") == "Allow" and allow[0].get("type") == "submit", allow
    assert len(deny) == 1 and deny[0].get("value") == "Deny" and deny[0].get("type") == "submit", deny
    assert_inert_html(page, r.text)
    assert app.name in page.text


def test_page_without_scope_shows_all_app_scopes(base_url, db, app):
    r, page = get_consent(page_url(base_url, app, scope=None))
    assert set(page.scope_boxes) == {s["id"] for s in scopes_of(db, FULL_CONSUMER)}


def test_page_unknown_client_is_json_404(base_url):
    r = requests.get(authorize_url(base_url, "00000000-0000-4000-8000-000000000000", REDIRECT, "authorization", "s"),
                     headers={"User-Agent": UA}, timeout=20)
    assert_generic(r, 404)


def test_page_inactive_client_is_json_404(base_url, db, owner):
    a = fresh_app(owner)
    q(db, "UPDATE fusio_app SET status = 3 WHERE id = %s", (a.id,))
    r = requests.get(page_url(base_url, a), headers={"User-Agent": UA}, timeout=20)
    assert_generic(r, 404)


def test_page_without_client_id_is_400_html(base_url):
    r = requests.get(base_url + AUTHORIZE_HTML + "?response_type=code&scope=authorization",
                     headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 400, r.text[:300]
    assert r.headers.get("Content-Type", "").startswith("text/html")
    assert_html_headers(r)


HOSTILE_DESC = "<script>alert('desc')</script>\"><img src=x onerror=alert(1)> & 'quotes' </label></form>"
HOSTILE_URL_PATH = "/cb?x=<script>alert(\"url\")</script>&y='\"><svg onload=alert(2)>"


def test_page_escapes_hostile_values(base_url, db, owner, person):
    a = fresh_app(owner, url="https://client.example.org" + HOSTILE_URL_PATH)
    sid, name = create_scope(db, description=HOSTILE_DESC)
    add_app_scope(db, a.id, sid)
    state = "\"><script>alert('state')</script>"
    url = page_url(base_url, a, scope=f"authorization,{name}", state=state)

    def page_with_scope():
        r, page = get_consent(url)
        return (r, page) if sid in page.scope_boxes else None
    r, page = poll(page_with_scope, "the consent page lists the new scope")   # the scope catalogue is cached 1 s
    assert_html_headers(r)
    assert_inert_html(page, r.text)
    assert HOSTILE_DESC in page.text, "the description is shown, as text"
    assert page.field("csrf").get("value"), "the page still has its form"

    # the error page (wrong credentials) escapes the echoed values as well
    data = consent_form_data(page, "<script>alert('user')</script>", "wrong")
    r2 = post_consent(url, data)
    assert r2.status_code == 400, r2.text[:300]
    assert_html_headers(r2)
    assert_inert_html(parse_page(r2.text), r2.text)


@pytest.mark.webserver
def test_post_allow_redirects_with_a_code(base_url, db, app, person):
    url = page_url(base_url, app, scope="default,authorization", state="xyz")
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, person.name, person.password))
    assert resp.status_code == 302, f"HTTP {resp.status_code}: {resp.text[:300]}"
    loc = resp.headers["Location"]
    params = query_of(loc)
    assert loc == redirect_with(REDIRECT, {"code": params.get("code"), "state": "xyz"}), loc
    assert re.match(CODE_RE, params["code"])
    row = check_code_row(db, params["code"], app, person, REDIRECT, "authorization,default")
    assert challenge_row(db, row["id"]) is None
    check_grant(db, person, app)


def test_post_allow_by_email_and_selected_scopes_only(base_url, db, app, person):
    url = page_url(base_url, app, scope="authorization,default", state="s2")
    r, page = get_consent(url)
    only = [scope_id(db, "default")]
    resp = post_consent(url, consent_form_data(page, person.email, person.password, scope_ids=only))
    assert resp.status_code == 302, resp.text[:300]
    code = query_of(resp.headers["Location"])["code"]
    check_code_row(db, code, app, person, REDIRECT, "default")


def test_post_scope_boxes_not_shown_are_ignored(base_url, db, app, person):
    url = page_url(base_url, app, scope="default", state="s3")
    r, page = get_consent(url)
    ids = [scope_id(db, "default"), scope_id(db, "backend"), scope_id(db, "authorization")]
    resp = post_consent(url, consent_form_data(page, person.name, person.password, scope_ids=ids))
    assert resp.status_code == 302, resp.text[:300]
    check_code_row(db, query_of(resp.headers["Location"])["code"], app, person, REDIRECT, "default")


def test_post_with_pkce_from_the_query(base_url, db, app, person):
    verifier, challenge = pkce_pair("S256")
    url = page_url(base_url, app, scope="authorization", state="p", challenge=challenge, method="S256")
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, person.name, person.password))
    assert resp.status_code == 302, resp.text[:300]
    row = check_code_row(db, query_of(resp.headers["Location"])["code"], app, person, REDIRECT, "authorization")
    ch = challenge_row(db, row["id"])
    assert ch is not None and ch["challenge"] == challenge and ch["method"] == "S256"


@pytest.mark.webserver
def test_post_deny_redirects_with_access_denied(base_url, db, owner, person):
    a = fresh_app(owner)
    live = password_token(base_url, a, person, "authorization")["access_token"]
    url = page_url(base_url, a, scope="authorization", state="dn")
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, person.name, person.password, allow=False))
    assert resp.status_code == 302, resp.text[:300]
    assert resp.headers["Location"] == \
        REDIRECT + "?error=access_denied&error_description=The+access+was+denied+by+the+user&state=dn"
    assert code_rows(db, a.id, person.id) == []
    assert token_status(db, live) == 2, "denial revokes the user's tokens for the app"


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "empty_password", "empty_username",
                                  "disabled_user"])
def test_post_bad_credentials_is_400_html(case, base_url, db, owner):
    u = create_user("Consumer")
    a = fresh_app(owner)
    if case == "disabled_user":
        set_user_status(db, u.id, 2)
    name, pw = {"wrong_password": (u.name, u.password + "x"), "unknown_user": ("nobody-" + u.name, u.password),
                "empty_password": (u.name, ""), "empty_username": ("", u.password),
                "disabled_user": (u.name, u.password)}[case]
    url = page_url(base_url, a)
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, name, pw))
    assert resp.status_code == 400, f"HTTP {resp.status_code}: {resp.text[:300]}"
    assert_html_headers(resp)
    assert "Location" not in resp.headers
    assert u.password not in resp.text
    assert code_rows(db, a.id, u.id) == []


def test_post_no_scope_selected_is_400_html(base_url, db, owner, person):
    a = fresh_app(owner)
    url = page_url(base_url, a)
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, person.name, person.password, scope_ids=[]))
    assert resp.status_code == 400, resp.text[:300]
    assert resp.headers.get("Content-Type", "").startswith("text/html")
    assert code_rows(db, a.id, person.id) == []


def _csrf_for(project_key: bytes, query: str, expiry: int) -> str:
    """The server's CSRF token format (Sources/FusioAuth/Authorize/CSRFToken.swift):
    "<expiry>.<base64url(HMAC-SHA256(project key, 'fusio-auth-csrf|<expiry>|<raw query>'))>"."""
    mac = hmac.new(project_key, f"fusio-auth-csrf|{expiry}|{query}".encode(), hashlib.sha256).digest()
    return f"{expiry}.{b64url(mac)}"


@pytest.mark.parametrize("case", ["missing", "empty", "altered_mac", "altered_expiry", "garbage", "expired",
                                  "other_redirect_uri", "other_state", "other_scope", "other_client",
                                  "other_challenge", "wrong_key"])
def test_post_bad_csrf_is_400_html(case, base_url, project_key, db, owner, person):
    a = fresh_app(owner)
    url = page_url(base_url, a, scope="authorization", state="st1")
    r, page = get_consent(url)
    good = page.field("csrf")["value"]
    query = urllib.parse.urlsplit(url).query
    csrf = good
    if case == "missing":
        csrf = None
    elif case == "empty":
        csrf = ""
    elif case == "altered_mac":
        csrf = good[:-2] + ("AA" if good[-2:] != "AA" else "BB")
    elif case == "altered_expiry":
        exp, mac = good.split(".", 1)
        csrf = f"{int(exp) + 1}.{mac}"
    elif case == "garbage":
        csrf = "x" * 40
    elif case == "expired":
        assert re.match(r"^\d+\.[A-Za-z0-9_-]{43}$", good), f"unexpected CSRF format {good!r}"
        exp = int(good.split(".")[0])
        assert 0 < exp - time.time() <= 3600, "a short expiry"
        assert good == _csrf_for(project_key, query, exp), "the test rebuilds the server's token exactly"
        csrf = _csrf_for(project_key, query, int(time.time()) - 5)
    elif case == "wrong_key":
        csrf = _csrf_for(secrets.token_hex(16).encode(), query, int(time.time()) + 300)
    else:   # a token from the page of a different query, posted to this one
        other = {"other_redirect_uri": page_url(base_url, a, scope="authorization", state="st1",
                                                redirect=REDIRECT + "2"),
                 "other_state": page_url(base_url, a, scope="authorization", state="st2"),
                 "other_scope": page_url(base_url, a, scope="authorization,default", state="st1"),
                 "other_client": page_url(base_url, fresh_app(owner), scope="authorization", state="st1"),
                 "other_challenge": page_url(base_url, a, scope="authorization", state="st1",
                                             challenge=pkce_pair("S256")[1], method="S256")}[case]
        csrf = get_consent(other)[1].field("csrf")["value"]
        assert csrf != good
    resp = post_consent(url, consent_form_data(page, person.name, person.password, csrf=csrf))
    assert resp.status_code == 400, f"HTTP {resp.status_code}: {resp.text[:300]}"
    assert resp.headers.get("Content-Type", "").startswith("text/html")
    assert "Location" not in resp.headers
    assert code_rows(db, a.id, person.id) == [], "no code row"
    # the genuine token still works for its own query
    ok = post_consent(url, consent_form_data(page, person.name, person.password))
    assert ok.status_code == 302, ok.text[:300]


def test_post_rebuilt_fresh_csrf_is_accepted(base_url, project_key, db, owner, person):
    # guards test_post_bad_csrf_is_400_html[expired]: the same construction with a future expiry is accepted
    a = fresh_app(owner)
    url = page_url(base_url, a, scope="authorization", state="fresh")
    r, page = get_consent(url)
    csrf = _csrf_for(project_key, urllib.parse.urlsplit(url).query, int(time.time()) + 120)
    resp = post_consent(url, consent_form_data(page, person.name, person.password, csrf=csrf))
    assert resp.status_code == 302, resp.text[:300]


def test_post_without_redirect_uri_shows_the_code(base_url, token_url, db, owner, person):
    # §3.4.2 step 7: no redirect URI -> an HTML page with the code; the row stores NULL, and (issue 3's fix of
    # §8.2 item 5) such a code is exchangeable without redirect_uri
    a = fresh_app(owner)
    url = page_url(base_url, a, scope="authorization", state="nr", redirect=None)
    r, page = get_consent(url)
    resp = post_consent(url, consent_form_data(page, person.name, person.password))
    assert resp.status_code == 200, f"HTTP {resp.status_code}: {resp.text[:300]}"
    assert "Location" not in resp.headers
    assert_html_headers(resp)
    assert_inert_html(parse_page(resp.text), resp.text)
    rows = code_rows(db, a.id, person.id)
    assert len(rows) == 1 and rows[0]["redirect_uri"] is None and rows[0]["scope"] == "authorization"
    assert rows[0]["code"] in resp.text, "the page shows the code"
    tr = requests.post(token_url, data={"grant_type": "authorization_code", "code": rows[0]["code"]},
                       auth=(a.key, a.secret), headers={"User-Agent": UA}, timeout=20)
    assert tr.status_code == 200, tr.text[:300]


@pytest.mark.parametrize("redirect", ["https://evil-client.example.org/cb", "javascript:alert(1)"])
def test_post_refused_redirect_uri_does_not_redirect(redirect, base_url, db, owner, person):
    a = fresh_app(owner)
    url = page_url(base_url, a, scope="authorization", state="ev", redirect=redirect)
    r = requests.get(url, headers={"User-Agent": UA}, timeout=20)
    if r.status_code != 200:                         # refusing already at GET is fine
        assert r.status_code in (400, 404), r.text[:300]
        assert code_rows(db, a.id, person.id) == []
        return
    page = parse_page(r.text)
    assert_inert_html(page, r.text)
    resp = post_consent(url, consent_form_data(page, person.name, person.password))
    loc = resp.headers.get("Location", "")
    assert not loc or urllib.parse.urlsplit(loc).hostname not in ("evil-client.example.org",), loc
    assert not loc.lower().startswith("javascript:"), loc
    assert code_rows(db, a.id, person.id) == []
    if resp.headers.get("Content-Type", "").startswith("text/html"):
        assert_inert_html(parse_page(resp.text), resp.text)


def test_html_and_json_share_the_consent_record(base_url, db, owner, person):
    a = fresh_app(owner)
    url = page_url(base_url, a, scope="authorization")
    r, page = get_consent(url)
    assert post_consent(url, consent_form_data(page, person.name, person.password)).status_code == 302
    check_grant(db, person, a)


# ============================================================================= CORS
@pytest.mark.webserver
@pytest.mark.parametrize("path,methods", [(CONSUMER_AUTHORIZE, ["GET", "POST"]), (AUTHORIZE_HTML, ["GET", "POST"])])
def test_cors(path, methods, base_url):
    check_cors(base_url, path, methods)


def test_cors_on_get_app(base_url, app):
    r = requests.get(base_url + CONSUMER_AUTHORIZE, params={"client_id": app.key},
                     headers={"User-Agent": UA, "Origin": "https://spa.example.org"}, timeout=20)
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
