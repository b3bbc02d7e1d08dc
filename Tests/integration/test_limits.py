"""Field length limits (400 before any work) and bcrypt's 72-byte rule.

Behaviour: issue 5 "Account protection", limits bullet, as the server implements it: username 255 bytes,
password 4096, client_id 255, client_secret 4096 (a user's password can act as a client secret), scope 1023,
code 255, refresh_token 255 — counted in bytes of the decoded value. Over the limit the token endpoint answers
400 invalid_request "Parameter <name> is too long" (scope: 400 invalid_scope "Provided too many scopes", Fusio's
own error for it) and /consumer/login a 400 generic body; Basic credentials are held to the client_id /
client_secret limits. At the limit the value is processed normally (each case shows it with a request that
succeeds or gets the ordinary error). "Before any work": an over-long password of an existing account is not
checked (no failure counted, no bcrypt time) and an over-long secret of an existing client gives 400, not 401.

bcrypt ignores everything after 72 bytes and PHP's password_verify keeps that: a password whose first 72 bytes
match logs in. php-cli is the ground truth for every candidate here.
"""

from __future__ import annotations

import base64
import secrets
import statistics
import subprocess
import time

import pytest
import requests

from conftest import App, User, create_app, create_user, php_password_hash, q, q1, sql_create_user, utcnow
from grantlib import (assert_generic_error, assert_oauth_error, assert_token_response, token_request)

UA = "fusio-auth-tests/1.0 (limits)"
INVALID = "Invalid name or password"
DB_TIME = "%Y-%m-%d %H:%M:%S"
LIMITS = {"username": 255, "password": 4096, "client_id": 255, "client_secret": 4096, "scope": 1023, "code": 255,
          "refresh_token": 255}


def too_long(name: str) -> str:
    return f"Parameter {name} is too long"


def ascii_of(n: int, ch: str = "a") -> str:
    return ch * n


def utf8_of(nbytes: int) -> str:
    """A string of exactly `nbytes` UTF-8 bytes made of 2-byte characters (one trailing ASCII if odd): the limit
    counts bytes, so this is over a 255-byte limit at 128 characters."""
    return "é" * (nbytes // 2) + "u" * (nbytes % 2)


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,consumer,default")


def failures(db, user: User) -> int:
    """Failed checks counted for the user in every budget (the '*' one and each known source's)."""
    row = q1(db, "SELECT COALESCE(SUM(failures), 0) AS n FROM fusioauth_login_attempt WHERE user_id = %s", (user.id,))
    return int(row["n"])


def login(base_url: str, username: str, password: str, form: bool = False) -> requests.Response:
    h = {"User-Agent": UA}
    if form:
        return requests.post(base_url + "/consumer/login", data={"username": username, "password": password},
                             headers=h, timeout=30)
    return requests.post(base_url + "/consumer/login", json={"username": username, "password": password},
                         headers=h, timeout=30)


def password_grant(token_url: str, app: App, username: str, password: str, json_body: bool = False):
    return token_request(token_url, {"grant_type": "password", "username": username, "password": password,
                                     "scope": "authorization"}, auth=(app.key, app.secret), json_body=json_body)


def cc(token_url: str, auth=None, extra: dict | None = None, scope: str = "authorization", headers=None):
    data = {"grant_type": "client_credentials", "scope": scope}
    data.update(extra or {})
    return token_request(token_url, data, auth=auth, headers=headers)


# ============================================================================= token endpoint: username, password
@pytest.mark.parametrize("make", [ascii_of, utf8_of], ids=["ascii", "utf8-bytes"])
@pytest.mark.parametrize("json_body", [False, True], ids=["form", "json"])
def test_username_limit(make, json_body, token_url, app):
    r = password_grant(token_url, app, make(256), "some-password", json_body=json_body)
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("username"))
    r = password_grant(token_url, app, make(255), "some-password", json_body=json_body)
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Unknown user")


def test_password_limit(token_url, db, app):
    """4096 bytes are accepted (a user with such a password logs in); 4097 are refused unchecked even though
    their first 72 bytes — all bcrypt looks at — are right."""
    password = "P" + secrets.token_hex(36) + "x" * (4096 - 73)
    assert len(password.encode()) == 4096
    user = sql_create_user(db, php_password_hash(password, 10))
    assert_token_response(password_grant(token_url, app, user.name, password))

    r = password_grant(token_url, app, user.name, password + "x")
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("password"))
    assert failures(db, user) == 0, "an over-long password was checked (a login failure was counted)"
    r = password_grant(token_url, app, user.name, utf8_of(4097))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("password"))
    assert failures(db, user) == 0

    r = password_grant(token_url, app, user.name, "y" * 4096)       # at the limit: checked, and wrong
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Unknown user")
    assert failures(db, user) == 1


# ============================================================================= token endpoint: client credentials
@pytest.mark.parametrize("where", ["basic", "body"])
def test_client_id_limit(where, token_url, app):
    """255 bytes are looked up like any client id (unknown here: 401). A real client cannot have such a key and
    still get a token: the key is the JWT's `aud`, and the JWT would outgrow fusio_token.token (VARCHAR(512))."""

    def send(client_id, secret):
        if where == "basic":
            return cc(token_url, auth=(client_id, secret))
        return cc(token_url, extra={"client_id": client_id, "client_secret": secret})

    assert_oauth_error(send("k" * 255, app.secret), 401, "invalid_client", (app.secret,))
    assert_oauth_error(send(utf8_of(255), app.secret), 401, "invalid_client", (app.secret,))
    r = send("k" * 256, app.secret)
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("client_id"))
    r = send(utf8_of(256), app.secret)
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("client_id"))
    r = send(app.key + "k" * (256 - len(app.key)), app.secret)
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("client_id"))


@pytest.mark.parametrize("where", ["basic", "body"])
def test_client_secret_limit(where, token_url, db, app):
    """A user's password is a client secret for client_credentials, hence 4096: such a login works at the limit.
    One byte more is 400 before the client is looked up — even for an existing client (else 401)."""
    password = "S" + secrets.token_hex(36) + "s" * (4096 - 73)
    user = sql_create_user(db, php_password_hash(password, 10))

    def send(client_id, secret):
        if where == "basic":
            return cc(token_url, auth=(client_id, secret))
        return cc(token_url, extra={"client_id": client_id, "client_secret": secret})

    body = assert_token_response(send(user.name, password))
    assert q1(db, "SELECT user_id FROM fusio_token WHERE token = %s", (body["access_token"],))["user_id"] == user.id
    r = send(user.name, password + "s")
    assert_oauth_error(r, 400, "invalid_request", (password,), too_long("client_secret"))
    assert failures(db, user) == 0, "an over-long secret was checked as a password"

    r = send(app.key, "z" * 4097)                                               # existing client
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("client_secret"))
    r = send(app.key, "z" * 4096)
    assert_oauth_error(r, 401, "invalid_client", (app.secret,))


@pytest.mark.parametrize("header", [
    "id-too-long",
    "secret-too-long",
])
def test_over_long_basic_credentials(header, token_url, app):
    if header == "id-too-long":
        creds, name = f"{'i' * 256}:{app.secret}", "client_id"
    else:
        creds, name = f"{app.key}:{'s' * 4097}", "client_secret"
    h = {"Authorization": "Basic " + base64.b64encode(creds.encode()).decode()}
    r = cc(token_url, headers=h)
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long(name))
    # the same for the other grants that take client credentials
    for data in ({"grant_type": "password", "username": "someone", "password": "some-password"},
                 {"grant_type": "authorization_code", "code": "0123456789abcdef"},
                 {"grant_type": "refresh_token", "refresh_token": "a" * 80}):
        r = token_request(token_url, data, headers=h)
        assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long(name))


# ============================================================================= token endpoint: scope, code, refresh
def test_scope_limit(token_url, app):
    head = "authorization,"
    at_limit = head + "x" * (1023 - len(head))
    body = assert_token_response(cc(token_url, auth=(app.key, app.secret), scope=at_limit))
    assert body["scope"] == "authorization", "unknown scope names are dropped, the known one stays"
    r = cc(token_url, auth=(app.key, app.secret), scope=at_limit + "x")
    assert_oauth_error(r, 400, "invalid_scope", (app.secret,), "Provided too many scopes")
    r = cc(token_url, auth=(app.key, app.secret), scope=head + utf8_of(1024 - len(head)))
    assert_oauth_error(r, 400, "invalid_scope", (app.secret,), "Provided too many scopes")


def test_code_limit(token_url, db, app, owner):
    """A code of 255 characters (fusio_app_code.code is VARCHAR(255)) is exchanged; 256 is refused unlooked."""
    code = secrets.token_hex(8).ljust(255, "c")
    redirect = "https://app.example.com/cb"
    q(db, "INSERT INTO fusio_app_code (app_id, user_id, code, redirect_uri, scope, date) "
          "VALUES (%s, %s, %s, %s, 'authorization', %s)", (app.id, owner.id, code, redirect, utcnow().strftime(DB_TIME)))
    r = token_request(token_url, {"grant_type": "authorization_code", "code": code + "c", "redirect_uri": redirect},
                      auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("code"))
    r = token_request(token_url, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
                      auth=(app.key, app.secret))
    body = assert_token_response(r)
    assert body["scope"] == "authorization"


def test_refresh_token_limit(token_url, db, app, owner):
    """A refresh token of 255 characters (fusio_token.refresh is VARCHAR(255)) is accepted; 256 is not."""
    issued = assert_token_response(password_grant(token_url, app, owner.name, owner.password))
    long_refresh = secrets.token_hex(16).ljust(255, "r")
    q(db, "UPDATE fusio_token SET refresh = %s WHERE refresh = %s", (long_refresh, issued["refresh_token"]))
    r = token_request(token_url, {"grant_type": "refresh_token", "refresh_token": long_refresh + "r"},
                      auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), too_long("refresh_token"))
    r = token_request(token_url, {"grant_type": "refresh_token", "refresh_token": long_refresh},
                      auth=(app.key, app.secret))
    assert_token_response(r)


# ============================================================================= /consumer/login
@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_consumer_login_limits(form, base_url, db):
    password = "L" + secrets.token_hex(36) + "l" * (4096 - 73)
    user = sql_create_user(db, php_password_hash(password, 10))

    r = login(base_url, ascii_of(256), "some-password", form)
    assert_generic_error(r, 400, too_long("username"))
    r = login(base_url, utf8_of(256), "some-password", form)
    assert_generic_error(r, 400, too_long("username"))
    assert_generic_error(login(base_url, ascii_of(255), "some-password", form), 400, INVALID)

    r = login(base_url, user.name, password + "l", form)
    assert_generic_error(r, 400, too_long("password"))
    assert failures(db, user) == 0, "an over-long password was checked (a login failure was counted)"
    r = login(base_url, user.name, password, form)
    assert r.status_code == 200 and r.json().get("token"), f"HTTP {r.status_code}: {r.text[:300]}"
    assert_generic_error(login(base_url, user.name, "w" * 4096, form), 400, INVALID)
    assert failures(db, user) == 1


def test_over_long_password_costs_no_bcrypt(base_url):
    """Refused before any work: no cost-12 bcrypt runs for an over-long password. The bound is loose (a quarter of
    the at-limit latency, where the password is checked) because the shared 2-core machine makes single
    latencies noisy; a bcrypt of cost 12 on the over-long password would put the ratio near 1."""
    user = create_user("Consumer")
    s = requests.Session()

    def timed(password: str, expected: str) -> float:
        t0 = time.perf_counter()
        r = s.post(base_url + "/consumer/login", json={"username": user.name, "password": password},
                   headers={"User-Agent": UA}, timeout=30)
        elapsed = time.perf_counter() - t0
        assert_generic_error(r, 400, expected)
        return elapsed

    timed("w" * 4097, too_long("password"))
    checked = [timed("w" * 4095 + str(i), INVALID) for i in range(3)]
    skipped = [timed("w" * 4097 + str(i), too_long("password")) for i in range(3)]
    assert statistics.median(skipped) < statistics.median(checked) / 4, (skipped, checked)


# ============================================================================= bcrypt's 72 bytes
def php_verify(password: str, hash_: str) -> bool:
    p = subprocess.run(["php", "-r", "echo password_verify($argv[1], $argv[2]) ? 'yes' : 'no';", password, hash_],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout in ("yes", "no"), p.stderr
    return p.stdout == "yes"


def _candidates(password: str) -> dict[str, str]:
    raw = password.encode()
    assert len(raw) == 80
    first72 = raw[:72].decode()
    flip = "X" if password[71] != "X" else "Y"
    return {
        "the password": password,
        "first 72 bytes": first72,
        "first 72 bytes + other tail": first72 + "-entirely-different-tail",
        "first 71 bytes": raw[:71].decode(),
        "byte 72 changed": raw[:71].decode() + flip + password[72:],
    }


@pytest.mark.parametrize("origin", ["php", "cli"])
def test_bcrypt_72_byte_rule_as_php_password_verify(origin, base_url, token_url, db, app):
    password = "B" + secrets.token_hex(20) + "b" * 39
    assert len(password.encode()) == 80
    if origin == "php":
        user = sql_create_user(db, php_password_hash(password, 10))
    else:
        user = create_user("Consumer", password=password)           # fusio-auth's own hash (cost 12)
    stored = q1(db, "SELECT password FROM fusio_user WHERE id = %s", (user.id,))["password"]
    for label, candidate in _candidates(password).items():
        expected = php_verify(candidate, stored)
        assert expected == (label not in ("first 71 bytes", "byte 72 changed")), f"php disagrees on {label}"
        r = login(base_url, user.name, candidate)
        if expected:
            assert r.status_code == 200, f"{label}: PHP's password_verify accepts it, got HTTP {r.status_code} {r.text}"
        else:
            assert_generic_error(r, 400, INVALID)
        r = cc(token_url, auth=(user.name, candidate))
        if expected:
            assert_token_response(r)
        else:
            assert_oauth_error(r, 401, "invalid_client", (candidate,))


def test_bcrypt_72_bytes_are_bytes_not_characters(base_url, db, app, token_url):
    """A 2-byte character straddling byte 72: bcrypt sees only its first byte, and so does PHP."""
    password = "m" * 71 + "é" + "-tail"          # bytes 1-71 'm', byte 72 = 0xC3, byte 73 = 0xA9
    user = sql_create_user(db, php_password_hash(password, 10))
    stored = q1(db, "SELECT password FROM fusio_user WHERE id = %s", (user.id,))["password"]
    sibling = "m" * 71 + "è"                     # 0xC3 0xA8: same first 72 bytes
    other = "m" * 71 + "ü"                       # 0xC3 0xBC: same too
    different = "m" * 71 + "ā"                   # 0xC4 0x81: byte 72 differs
    for candidate, ok in ((password, True), (sibling, True), (other, True), (different, False)):
        assert php_verify(candidate, stored) is ok, candidate
        r = password_grant(token_url, app, user.name, candidate)
        if ok:
            assert_token_response(r)
        else:
            assert_oauth_error(r, 400, "invalid_grant", (candidate,), "Unknown user")
