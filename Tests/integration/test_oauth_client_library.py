"""A standard OAuth2 client library against the token endpoint: Authlib's requests OAuth2Session
(installed into the test virtualenv by scripts/test) for client_credentials, password and refresh_token,
with client_secret_basic and client_secret_post (issue 3, "Tests").

A compliance hook records every token-endpoint response, so the tests also see how Authlib actually sent
the client credentials (Basic header or body) and the response headers.
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from conftest import User, create_app, create_user, decode_jwt
from grantlib import assert_no_store, check_claims, check_row, row_by_refresh, token_row

try:
    from authlib.integrations.requests_client import OAuth2Session, OAuthError
except ImportError as e:   # pragma: no cover - reported by every test below instead of a collection error
    OAuth2Session = None
    IMPORT_ERROR = e

METHODS = ["client_secret_basic", "client_secret_post"]


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def person() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner):
    return create_app(owner, "authorization,consumer,default")


class Recorder:
    def __init__(self):
        self.responses: list[requests.Response] = []

    def __call__(self, resp: requests.Response) -> requests.Response:
        self.responses.append(resp)
        return resp

    @property
    def last(self) -> requests.Response:
        assert self.responses, "Authlib sent no token request"
        return self.responses[-1]


def session_for(client_id: str, client_secret: str, method: str) -> tuple[OAuth2Session, Recorder]:
    if OAuth2Session is None:
        pytest.fail(f"authlib is not installed in the test virtualenv ({IMPORT_ERROR}); "
                    "scripts/test installs it when it creates the venv", pytrace=False)
    s = OAuth2Session(client_id=client_id, client_secret=client_secret, token_endpoint_auth_method=method)
    rec = Recorder()
    s.register_compliance_hook("access_token_response", rec)
    s.register_compliance_hook("refresh_token_response", rec)
    return s, rec


def check_sent_as(resp: requests.Response, method: str, client_id: str, client_secret: str) -> None:
    """How Authlib authenticated the client: the header or the body, never both."""
    req = resp.request
    form = dict(urllib.parse.parse_qsl(req.body if isinstance(req.body, str) else (req.body or b"").decode()))
    if method == "client_secret_basic":
        assert req.headers.get("Authorization", "").startswith("Basic "), req.headers
        assert "client_secret" not in form
    else:
        assert "Authorization" not in req.headers, req.headers
        assert form.get("client_id") == client_id and form.get("client_secret") == client_secret
    assert resp.status_code == 200, resp.text
    assert_no_store(resp)


@pytest.mark.webserver
@pytest.mark.parametrize("method", METHODS)
def test_authlib_client_credentials(method, token_url, app_url, project_key, db, owner, app):
    s, rec = session_for(app.key, app.secret, method)
    token = s.fetch_token(token_url, grant_type="client_credentials")
    check_sent_as(rec.last, method, app.key, app.secret)
    assert token["token_type"] == "bearer"
    assert token["expires_at"] > 0, "Authlib computed expires_at from expires_in (a duration)"
    assert token["scope"].split(",")[-2:] == ["authorization", "default"]
    check_claims(decode_jwt(token["access_token"], project_key), app_url, owner, app, token["expires_in"])
    row = token_row(db, token["access_token"])
    check_row(db, row, token["access_token"], token["refresh_token"], token["scope"], owner, app,
              rec.last.request.headers["User-Agent"])


@pytest.mark.parametrize("method", METHODS)
def test_authlib_password_then_refresh(method, token_url, app_url, project_key, db, person, app):
    s, rec = session_for(app.key, app.secret, method)
    token = s.fetch_token(token_url, username=person.name, password=person.password, scope="authorization,default")
    check_sent_as(rec.last, method, app.key, app.secret)
    form = dict(urllib.parse.parse_qsl(rec.last.request.body))
    assert form["grant_type"] == "password", "Authlib guessed the password grant from username/password"
    assert token["scope"] == "authorization,default"
    check_claims(decode_jwt(token["access_token"], project_key), app_url, person, app, token["expires_in"])
    first = token_row(db, token["access_token"])
    check_row(db, first, token["access_token"], token["refresh_token"], token["scope"], person, app,
              rec.last.request.headers["User-Agent"])

    refreshed = s.refresh_token(token_url, refresh_token=token["refresh_token"])
    check_sent_as(rec.last, method, app.key, app.secret)
    assert dict(urllib.parse.parse_qsl(rec.last.request.body))["grant_type"] == "refresh_token"
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert refreshed["scope"] == "authorization,default"
    assert s.token["access_token"] == refreshed["access_token"], "the session holds the new token"
    check_claims(decode_jwt(refreshed["access_token"], project_key), app_url, person, app, refreshed["expires_in"])
    row = token_row(db, refreshed["access_token"])
    check_row(db, row, refreshed["access_token"], refreshed["refresh_token"], refreshed["scope"], person, app,
              rec.last.request.headers["User-Agent"])
    assert row_by_refresh(db, token["refresh_token"])["status"] == 2, "rotation retired the old row"

    # refreshing the rotated token again is reuse: Authlib raises the server's OAuth error
    with pytest.raises(OAuthError) as exc:
        s.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert exc.value.error == "invalid_grant"
    assert token_row(db, refreshed["access_token"])["status"] == 2


@pytest.mark.parametrize("method", METHODS)
def test_authlib_refresh_of_a_user_token(method, token_url, db):
    # an app-less token (the user's name and password as client, as the Fusio SDKs do) refreshed by its user
    u = create_user("Consumer")
    s, rec = session_for(u.name, u.password, method)
    token = s.fetch_token(token_url, grant_type="client_credentials", scope="default")
    assert token["scope"] == "default"
    assert token_row(db, token["access_token"])["app_id"] is None
    refreshed = s.refresh_token(token_url, refresh_token=token["refresh_token"])
    check_sent_as(rec.last, method, u.name, u.password)
    assert token_row(db, refreshed["access_token"])["app_id"] is None
    assert row_by_refresh(db, token["refresh_token"])["status"] == 2


@pytest.mark.parametrize("method", METHODS)
def test_authlib_sees_invalid_client(method, token_url, app):
    s, rec = session_for(app.key, "0" * 64, method)
    with pytest.raises(OAuthError) as exc:
        s.fetch_token(token_url, grant_type="client_credentials")
    assert exc.value.error == "invalid_client"
    assert rec.last.status_code == 401


@pytest.mark.parametrize("method", METHODS)
def test_authlib_refresh_with_another_client_is_refused(method, token_url, db, person, app, owner):
    s, _ = session_for(app.key, app.secret, method)
    token = s.fetch_token(token_url, username=person.name, password=person.password, scope="default")
    other = create_app(owner, "authorization,default")
    thief, rec = session_for(other.key, other.secret, method)
    with pytest.raises(OAuthError) as exc:
        thief.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert exc.value.error == "invalid_client"
    assert rec.last.status_code == 401
    assert row_by_refresh(db, token["refresh_token"])["status"] == 1
