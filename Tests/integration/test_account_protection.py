"""Account protection: per-account throttling of password checks and no user enumeration.

Behaviour: issue 5 "Account protection" (reference §5.2 hardened):
* fusio-auth's own table fusioauth_login_failure(user_id, window_start, failures): after FUSIO_LOGIN_MAXFAILURES
  (10) failed password checks of one account within FUSIO_LOGIN_WINDOW (15 minutes), that account's password
  checks fail with the same error as a wrong password for the rest of the window, from whatever IP — even with
  the right password; other accounts are unaffected; a successful login before the limit clears the counter.
  Password checks happen on /consumer/login (400 "Invalid name or password"), the password grant (400
  invalid_grant "Unknown user") and client_credentials with a user's name and password (401 invalid_client).
* No enumeration: unknown, disabled, deleted and remote users, users without a password and wrong passwords get
  the same answer, and an unknown user still costs one bcrypt verification of the current cost (12).

Attempts come from distinct documentation addresses (X-Forwarded-For, trusted from nginx) to show the throttle is
per account, each address staying far below the firewall's 32 client errors.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

import pytest
import requests

from conftest import App, User, create_app, create_user, q, q1, sql_create_user, unique, utcnow
from grantlib import (assert_generic_error, assert_oauth_error, assert_token_response, make_remote, set_user_status,
                      token_request)

UA = "fusio-auth-tests/1.0 (account-protection)"
MAXFAILURES = 10
WINDOW_S = 15 * 60
INVALID = "Invalid name or password"
DB_TIME = "%Y-%m-%d %H:%M:%S"
ENDPOINTS = ["consumer_login", "password_grant", "client_credentials"]

_used: set[str] = set()


def new_ip() -> str:
    """A fresh documentation address (192.0.2.0/24 or 2001:db8:a1::/48) for one attempt."""
    while True:
        ip = f"192.0.2.{random.randint(1, 254)}" if random.random() < 0.5 else \
            "2001:db8:a1::" + format(random.randint(1, 0xFFFF), "x")
        if ip not in _used:
            _used.add(ip)
            return ip


@pytest.fixture(scope="module", autouse=True)
def cleanup_firewall(db):
    yield
    for ip in _used:
        q(db, "DELETE FROM fusio_firewall_log WHERE ip = %s", (ip,))


@pytest.fixture(scope="module")
def app() -> App:
    """The client of the password grant (owned by a user of its own)."""
    return create_app(create_user("Consumer"), "authorization,consumer,default")


# ----------------------------------------------------------------------------- one password check per endpoint
def attempt(endpoint: str, base_url: str, app: App, login: str, password: str,
            ip: str | None = None) -> requests.Response:
    h = {"User-Agent": UA}
    if ip is not None:
        h["X-Forwarded-For"] = ip
    token_url = base_url + "/authorization/token"
    if endpoint == "consumer_login":
        return requests.post(base_url + "/consumer/login", json={"username": login, "password": password},
                             headers=h, timeout=30)
    if endpoint == "password_grant":
        return token_request(token_url, {"grant_type": "password", "username": login, "password": password,
                                         "scope": "authorization"}, auth=(app.key, app.secret), headers=h)
    return token_request(token_url, {"grant_type": "client_credentials", "scope": "authorization"},
                         auth=(login, password), headers=h)


def assert_refused(endpoint: str, r: requests.Response, *secrets: str) -> dict:
    """The wrong-password answer of the endpoint."""
    if endpoint == "consumer_login":
        return assert_generic_error(r, 400, INVALID)
    if endpoint == "password_grant":
        return assert_oauth_error(r, 400, "invalid_grant", secrets, "Unknown user")
    return assert_oauth_error(r, 401, "invalid_client", secrets)


def assert_accepted(endpoint: str, r: requests.Response) -> dict:
    if endpoint == "consumer_login":
        assert r.status_code == 200, f"HTTP {r.status_code}: {r.text[:300]}"
        body = r.json()
        assert body.get("token"), body
        return body
    return assert_token_response(r)


def answer(r: requests.Response) -> tuple:
    """What a client can compare between two answers: status, body, and the headers that could differ."""
    return (r.status_code, r.text, r.headers.get("Content-Type"), r.headers.get("WWW-Authenticate"),
            r.headers.get("Cache-Control"))


def failure_row(db, user: User) -> dict | None:
    return q1(db, "SELECT * FROM fusioauth_login_failure WHERE user_id = %s", (user.id,))


def fail(endpoint: str, base_url: str, app: App, user: User, n: int = 1) -> list[requests.Response]:
    out = []
    for _ in range(n):
        r = attempt(endpoint, base_url, app, user.name, user.password + "-wrong", new_ip())
        assert_refused(endpoint, r, user.password)
        out.append(r)
    return out


# ============================================================================= throttling
def test_throttle_is_per_account_across_ips_and_endpoints(base_url, db, app):
    victim, bystander = create_user("Consumer"), create_user("Consumer")
    wrong_answers = {}
    # 10 failures spread over the three endpoints, every one from another address
    for i in range(MAXFAILURES):
        endpoint = ENDPOINTS[i % 3]
        r = fail(endpoint, base_url, app, victim)[0]
        wrong_answers.setdefault(endpoint, answer(r))
        row = failure_row(db, victim)
        assert row is not None and row["failures"] == i + 1, f"after {i + 1} failures: {row}"
    row = failure_row(db, victim)
    assert abs((row["window_start"] - utcnow()).total_seconds()) <= 120, f"window_start {row['window_start']} not UTC now"

    # now even the right password fails, with exactly the wrong-password answer, on every endpoint, from new IPs,
    # by name and by e-mail
    for endpoint in ENDPOINTS:
        for login in (victim.name, victim.email):
            r = attempt(endpoint, base_url, app, login, victim.password, new_ip())
            assert_refused(endpoint, r, victim.password)
            assert answer(r) == wrong_answers[endpoint], \
                f"{endpoint}: the throttled answer differs from a wrong password's"
    assert q1(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (victim.id,))["n"] == 0

    # another account is unaffected, from the same kind of addresses
    for endpoint in ENDPOINTS:
        assert_accepted(endpoint, attempt(endpoint, base_url, app, bystander.name, bystander.password, new_ip()))
    assert failure_row(db, bystander) is None


def test_successful_login_before_the_limit_clears_the_counter(base_url, db, app):
    user = create_user("Consumer")
    fail("consumer_login", base_url, app, user, MAXFAILURES - 1)
    assert failure_row(db, user)["failures"] == MAXFAILURES - 1
    assert_accepted("consumer_login", attempt("consumer_login", base_url, app, user.name, user.password, new_ip()))
    row = failure_row(db, user)
    assert row is None or row["failures"] == 0, f"a successful login did not clear the counter: {row}"

    # 9 more: without the reset that would be 18 > 10 and the right password would fail
    fail("password_grant", base_url, app, user, MAXFAILURES - 1)
    for endpoint in ENDPOINTS:
        assert_accepted(endpoint, attempt(endpoint, base_url, app, user.name, user.password, new_ip()))


def test_throttle_lasts_for_the_rest_of_the_window_only(base_url, db, app):
    user = create_user("Consumer")
    fail("client_credentials", base_url, app, user, MAXFAILURES)

    # 14 minutes into the window: still refused
    q(db, "UPDATE fusioauth_login_failure SET window_start = %s WHERE user_id = %s",
      ((utcnow() - dt.timedelta(seconds=WINDOW_S - 60)).strftime(DB_TIME), user.id))
    for endpoint in ENDPOINTS:
        assert_refused(endpoint, attempt(endpoint, base_url, app, user.name, user.password, new_ip()), user.password)

    # the window is over: the right password works again, and a new failure opens a new window at 1
    q(db, "UPDATE fusioauth_login_failure SET window_start = %s WHERE user_id = %s",
      ((utcnow() - dt.timedelta(seconds=WINDOW_S + 60)).strftime(DB_TIME), user.id))
    assert_accepted("password_grant", attempt("password_grant", base_url, app, user.name, user.password, new_ip()))
    fail("consumer_login", base_url, app, user)
    row = failure_row(db, user)
    assert row["failures"] == 1, f"a failure after the window expired must start a new window: {row}"
    assert abs((row["window_start"] - utcnow()).total_seconds()) <= 120, row


def test_limit_is_reached_at_exactly_maxfailures(base_url, db, app):
    user = create_user("Consumer")
    fail("consumer_login", base_url, app, user, MAXFAILURES - 1)
    # 9 failures: the right password still works (and clears)
    assert_accepted("consumer_login", attempt("consumer_login", base_url, app, user.name, user.password, new_ip()))
    fail("consumer_login", base_url, app, user, MAXFAILURES)
    assert_refused("consumer_login", attempt("consumer_login", base_url, app, user.name, user.password, new_ip()))


# ============================================================================= no enumeration by content
@pytest.fixture(scope="module")
def personas(db, app):
    """Logins that must all be refused alike: {label: (login, password)}, plus the wrong-password reference."""
    known = create_user("Consumer")
    disabled = create_user("Consumer")
    set_user_status(db, disabled.id, 2)
    deleted = create_user("Consumer")
    set_user_status(db, deleted.id, 0)
    remote = create_user("Consumer")
    make_remote(db, remote.id, app.id)
    no_password = sql_create_user(db, None)
    empty_password = sql_create_user(db, "")
    return {
        "wrong password": (known.name, known.password + "-wrong"),
        "wrong password by e-mail": (known.email, known.password + "-wrong"),
        "unknown name": (unique("nobody"), "pw-" + unique("")),
        "unknown e-mail": (unique("nobody") + "@example.com", "pw-" + unique("")),
        "disabled user, right password": (disabled.name, disabled.password),
        "deleted user, right password": (deleted.name, deleted.password),
        "remote user, right password": (remote.name, remote.password),
        "user without password": (no_password.name, "anything-at-all"),
        "user with empty password": (empty_password.name, "anything-at-all"),
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_refusal_looks_the_same(endpoint, base_url, app, personas):
    answers = {}
    for label, (login, password) in personas.items():
        r = attempt(endpoint, base_url, app, login, password)
        assert_refused(endpoint, r, password)
        answers[label] = answer(r)
    reference = answers["wrong password"]
    different = {k: v for k, v in answers.items() if v != reference}
    assert not different, f"{endpoint}: answers differ from a wrong password's {reference}: {different}"


# ============================================================================= no enumeration by timing
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unknown_user_costs_as_much_as_a_wrong_password(endpoint, base_url, app):
    """The unknown user must still pay one bcrypt verification of cost 12 (the cost `user add` hashes with).
    The bound is loose on purpose: the tests run on a shared 2-core machine next to other builds and test runs,
    so single latencies swing by tens of percent; skipping bcrypt (a few ms against ~0.2 s or more) would give
    a ratio near 0.01, far outside [0.5, 2.0]. Medians of interleaved samples damp load spikes."""
    user = create_user("Consumer")     # bcrypt cost 12
    unknown = unique("nobody")
    s = requests.Session()

    def timed(login: str, password: str) -> float:
        t0 = time.perf_counter()
        r = attempt(endpoint, base_url, app, login, password) if endpoint != "consumer_login" else \
            s.post(base_url + "/consumer/login", json={"username": login, "password": password},
                   headers={"User-Agent": UA}, timeout=30)
        elapsed = time.perf_counter() - t0
        assert_refused(endpoint, r, password)
        return elapsed

    timed(unknown, "warm-up-password")          # warm connections, caches and the thread's bcrypt state
    timed(user.name, user.password + "-warm")   # 1 failure (6 in all: below the throttle's 10)
    known_t, unknown_t = [], []
    for i in range(5):
        known_t.append(timed(user.name, user.password + f"-wrong{i}"))
        unknown_t.append(timed(unknown, f"some-password-{i}"))
    known_m, unknown_m = statistics.median(known_t), statistics.median(unknown_t)
    ratio = unknown_m / known_m
    print(f"{endpoint}: unknown {unknown_m * 1000:.0f} ms, wrong password {known_m * 1000:.0f} ms, ratio {ratio:.2f}")
    assert 0.5 <= ratio <= 2.0, (f"{endpoint}: median unknown user {unknown_m * 1000:.0f} ms vs wrong password "
                                 f"{known_m * 1000:.0f} ms (ratio {ratio:.2f}); samples {unknown_t} / {known_t}")
    # sanity: the known user's check really is a bcrypt of cost 12 (not a cheap path on both sides)
    assert known_m >= 0.02, f"a cost-12 bcrypt check took only {known_m * 1000:.1f} ms?"

