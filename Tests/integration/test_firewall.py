"""Fusio's IP firewall, shared with PHP through fusio_firewall / fusio_firewall_log (tenant NULL).

Behaviour: issue 5 "Firewall" and reference §6, with the issue's fixes: only active (status 1) deny rows block,
an active allow row overrides a deny, IPs in FUSIO_FIREWALL_IGNOREIP are never blocked nor counted. Every 4xx
the server answers is logged; the 34th client error within FUSIO_FIREWALL_FINDTIME (more than
FUSIO_FIREWALL_MAXRETRY = 32 logged) inserts the ban row exactly as PHP does. A blocked IP gets 400
invalid_request on /authorization/token and a 403 generic body elsewhere, before any credential is looked at.

The deny set is cached per worker thread for at most one second (issue: "state how fast a ban set by PHP takes
effect"): rows written in SQL here stand for rows written by PHP, and the tests poll with a deadline. Negative
checks ("this row does not block") are only made once more than that second has passed since the rows were
written and a positive control in the same batch is seen blocked, so every thread has re-read the rules.

scripts/lib/common.sh write_env trusts X-Forwarded-For from nginx (127.0.0.1), so each test acts as its own
documentation address (203.0.113.0/24, 2001:db8:f1::/48 here) and deletes the rows it made.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
import requests

from conftest import App, User, create_app, create_user, q, q1, utcnow
from grantlib import assert_generic_error, assert_oauth_error, assert_token_response, token_request

UA = "fusio-auth-tests/1.0 (firewall)"
BLOCKED = "Your IP has sent to many requests please try again later"
MAXRETRY = 32
BANTIME_S = 300
FINDTIME_S = 120
CACHE_S = 1.0      # the per-thread rule cache (Firewall.refreshMilliseconds)
SETTLE_S = 1.3     # CACHE_S plus margin: after this every thread's next request re-reads the rules
ENFORCE_DEADLINE_S = 4.0   # generous for a loaded 2-core machine; the design bound is CACHE_S
THREADS_SAMPLE = 16        # consecutive requests after SETTLE_S: more than the pool's 2 x 4 threads
DB_TIME = "%Y-%m-%d %H:%M:%S"
NOWHERE = "/fw-test-nowhere"


# ----------------------------------------------------------------------------- addresses and rows
_used: set[str] = set()


def _candidate(family: str) -> str:
    if family == "ipv4":
        return f"203.0.113.{random.randint(1, 254)}"
    return "2001:db8:f1::" + format(random.randint(1, 0xFFFF), "x")


def fresh_ip(db, family: str = "ipv4") -> str:
    """A documentation address no row of fusio_firewall / fusio_firewall_log / fusio_token mentions yet."""
    for _ in range(500):
        ip = _candidate(family)
        if ip in _used:
            continue
        busy = q1(db, "SELECT (SELECT COUNT(*) FROM fusio_firewall WHERE ip = %s) "
                      "+ (SELECT COUNT(*) FROM fusio_firewall_log WHERE ip = %s) "
                      "+ (SELECT COUNT(*) FROM fusio_token WHERE ip = %s) AS n", (ip, ip, ip))
        if busy["n"] == 0:
            _used.add(ip)
            return ip
    pytest.fail(f"no unused {family} documentation address left")


@pytest.fixture
def ips(db):
    """Allocates fresh client addresses; deletes every firewall row of them afterwards."""
    mine: list[str] = []

    def alloc(family: str = "ipv4") -> str:
        ip = fresh_ip(db, family)
        mine.append(ip)
        return ip

    yield alloc
    for ip in mine:
        q(db, "DELETE FROM fusio_firewall WHERE ip = %s", (ip,))
        q(db, "DELETE FROM fusio_firewall_log WHERE ip = %s", (ip,))


def log_rows(db, ip: str) -> list[dict]:
    return q(db, "SELECT * FROM fusio_firewall_log WHERE ip = %s ORDER BY id", (ip,))


def rule_rows(db, ip: str) -> list[dict]:
    return q(db, "SELECT * FROM fusio_firewall WHERE ip = %s ORDER BY id", (ip,))


def php_blocks(db, ip: str) -> bool:
    """PHP Fusio's own check (§6.1 step 2, status not consulted): would PHP refuse this IP now?"""
    row = q1(db, "SELECT COUNT(*) AS n FROM fusio_firewall WHERE tenant_id IS NULL AND ip = %s AND type = 0 "
                 "AND (expire IS NULL OR expire > %s)", (ip, utcnow().strftime(DB_TIME)))
    return row["n"] > 0


def insert_rule(db, ip: str, type_: int, status: int = 1, expire: dt.datetime | None | str = "default",
                name: str | None = None) -> int:
    """A fusio_firewall row as PHP's backend (or PHP's automatic ban) writes it."""
    if expire == "default":
        expire = utcnow() + dt.timedelta(seconds=BANTIME_S)
    name = name or f"fwtest-{type_}-{status}-{ip.replace('.', '-').replace(':', '-')}-{random.randint(0, 10**9)}"
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_firewall (tenant_id, status, name, type, ip, expire, metadata) "
                    "VALUES (NULL, %s, %s, %s, %s, %s, NULL)",
                    (status, name, type_, ip, expire.strftime(DB_TIME) if expire is not None else None))
        return cur.lastrowid


def insert_log(db, ip: str, count: int, age_s: float, code: int = 404) -> None:
    """`count` fusio_firewall_log rows as PHP writes them, `age_s` seconds old."""
    when = (utcnow() - dt.timedelta(seconds=age_s)).strftime(DB_TIME)
    with db.cursor() as cur:
        cur.executemany("INSERT INTO fusio_firewall_log (tenant_id, ip, response_code, insert_date) "
                        "VALUES (NULL, %s, %s, %s)", [(ip, code, when)] * count)


# ----------------------------------------------------------------------------- requests
def xff(ip: str | None) -> dict:
    h = {"User-Agent": UA}
    if ip is not None:
        h["X-Forwarded-For"] = ip
    return h


def health(base_url: str, ip: str | None) -> requests.Response:
    """GET /health: 200 when allowed (and never a 4xx that would be counted), 403 when blocked."""
    return requests.get(base_url + "/health", headers=xff(ip), timeout=20)


def nowhere(base_url: str, ip: str | None) -> requests.Response:
    return requests.get(base_url + NOWHERE, headers=xff(ip), timeout=20)


def wait_enforced(base_url: str, ip: str, t0: float, blocked: bool) -> float:
    """Polls /health as `ip` until it is refused (blocked=True) or answered (False) AND more than the cache
    lifetime has passed since `t0` (when the rows changed); then every thread must agree. Returns the delay
    until the change was first seen."""
    want = 403 if blocked else 200
    deadline = t0 + ENFORCE_DEADLINE_S + SETTLE_S
    first_seen = None
    while True:
        r = health(base_url, ip)
        assert r.status_code in (200, 403), f"/health as {ip}: HTTP {r.status_code} {r.text[:300]}"
        now = time.monotonic()
        if r.status_code == want and first_seen is None:
            first_seen = now - t0
        if first_seen is not None and now - t0 >= SETTLE_S:
            break
        if now > deadline:
            pytest.fail(f"{ip}: /health still answers {r.status_code} {now - t0:.1f} s after the rules changed "
                        f"(expected {want} within {ENFORCE_DEADLINE_S} s, cache lifetime {CACHE_S} s)",
                        pytrace=False)
        time.sleep(0.02)
    statuses = [health(base_url, ip).status_code for _ in range(THREADS_SAMPLE)]
    assert statuses == [want] * THREADS_SAMPLE, \
        f"{ip}: {SETTLE_S} s after the change some threads disagree: {statuses}"
    return first_seen


def assert_blocked_everywhere(base_url: str, token_url: str, ip: str, app: App, user: User) -> None:
    """Blocked before any credential check: valid credentials are refused too (§6.1 step 3)."""
    r = token_request(token_url, {"grant_type": "client_credentials"}, auth=(app.key, app.secret), headers=xff(ip))
    assert_oauth_error(r, 400, "invalid_request", (app.secret,), BLOCKED)
    assert r.json() == {"error": "invalid_request", "error_description": BLOCKED}
    r = requests.post(base_url + "/consumer/login", json={"username": user.name, "password": user.password},
                      headers=xff(ip), timeout=20)
    assert_generic_error(r, 403, BLOCKED)
    assert "token" not in r.json()
    assert_generic_error(nowhere(base_url, ip), 403, BLOCKED)
    assert_generic_error(health(base_url, ip), 403, BLOCKED)
    r = requests.get(base_url + "/authorization/whoami", headers=xff(ip), timeout=20)
    assert_generic_error(r, 403, BLOCKED)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fw_user() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def fw_app(fw_user) -> App:
    return create_app(fw_user, "authorization,default")


def client_error(i: int, base_url: str, token_url: str, app: App, ip: str) -> tuple[requests.Response, int]:
    """One cheap client error (no bcrypt) of three kinds, with the status it must have: an unknown path (404),
    a known client with a wrong secret (401), a token request without grant_type (400)."""
    kind = i % 3
    if kind == 0:
        return nowhere(base_url, ip), 404
    if kind == 1:
        wrong = "0" * 64 if app.secret != "0" * 64 else "1" * 64
        return token_request(token_url, {"grant_type": "client_credentials"}, auth=(app.key, wrong),
                             headers=xff(ip)), 401
    return token_request(token_url, {"scope": "authorization"}, auth=(app.key, app.secret), headers=xff(ip)), 400


# ============================================================================= automatic ban
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_34th_client_error_within_findtime_bans_the_ip(family, base_url, token_url, db, ips, fw_app, fw_user):
    ip = ips(family)
    expected_codes = []
    for i in range(MAXRETRY + 1):   # 33 client errors: all logged, none bans (count > 32 is needed)
        r, status = client_error(i, base_url, token_url, fw_app, ip)
        assert r.status_code == status, f"error #{i + 1} as {ip}: HTTP {r.status_code} {r.text[:300]}"
        assert BLOCKED not in r.text, f"refused after only {i + 1} client errors: {r.text}"
        expected_codes.append(status)

    rows = log_rows(db, ip)
    assert len(rows) == MAXRETRY + 1, f"{len(rows)} log rows for {MAXRETRY + 1} client errors of {ip}"
    assert sorted(r["response_code"] for r in rows) == sorted(expected_codes)
    now = utcnow()
    for row in rows:
        assert row["tenant_id"] is None, row
        assert row["ip"] == ip, row
        assert abs((row["insert_date"] - now).total_seconds()) <= 30, f"insert_date {row['insert_date']} is not UTC now {now}"
    assert rule_rows(db, ip) == [], "banned before the 34th client error"

    # the 34th client error is still answered, but instead of being logged it bans the IP
    r = nowhere(base_url, ip)
    t_ban = time.monotonic()
    assert r.status_code == 404, f"34th client error: HTTP {r.status_code} {r.text[:300]}"
    assert len(log_rows(db, ip)) == MAXRETRY + 1, "the banning error must not be logged (§6.2 step 2)"
    bans = rule_rows(db, ip)
    assert len(bans) == 1, f"expected one ban row, got {bans}"
    ban = bans[0]
    now = utcnow()
    assert ban["tenant_id"] is None and ban["status"] == 1 and ban["type"] == 0 and ban["ip"] == ip, ban
    assert ban["metadata"] is None, ban
    assert BANTIME_S - 30 <= (ban["expire"] - now).total_seconds() <= BANTIME_S + 5, \
        f"expire {ban['expire']} is not UTC now {now} + {BANTIME_S} s"
    assert ban["name"] == "Ban-" + ip.replace(".", "-").replace(":", "-") + "-" + ban["expire"].strftime("%Y%m%d%H%M%S")
    assert php_blocks(db, ip), "PHP's own check must see the ban"

    wait_enforced(base_url, ip, t_ban, blocked=True)
    tokens_before = q1(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE app_id = %s", (fw_app.id,))["n"]
    assert_blocked_everywhere(base_url, token_url, ip, fw_app, fw_user)
    assert q1(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE app_id = %s", (fw_app.id,))["n"] == tokens_before, \
        "a blocked IP obtained a token"
    # refused answers are neither logged nor do they add bans (§6.1: a blocked request is not logged again)
    assert len(log_rows(db, ip)) == MAXRETRY + 1
    assert len(rule_rows(db, ip)) == 1


def test_other_ips_are_not_affected_by_a_ban(base_url, token_url, db, ips, fw_app):
    banned, other = ips(), ips()
    insert_rule(db, banned, 0)
    t0 = time.monotonic()
    wait_enforced(base_url, banned, t0, blocked=True)
    for _ in range(THREADS_SAMPLE):
        assert health(base_url, other).status_code == 200
    r = token_request(token_url, {"grant_type": "client_credentials"}, auth=(fw_app.key, fw_app.secret),
                      headers=xff(other))
    assert_token_response(r)
    assert q1(db, "SELECT ip FROM fusio_token WHERE token = %s", (r.json()["access_token"],))["ip"] == other


def test_only_errors_within_findtime_count(base_url, db, ips):
    """count > MAXRETRY over the last FINDTIME only: older rows (as PHP leaves them until system:clean) do not
    count, and the boundary is exact — 32 recent rows log the next error, 33 ban on it."""
    ip = ips()
    insert_log(db, ip, 60, age_s=FINDTIME_S + 60)      # plenty, but outside the window
    insert_log(db, ip, MAXRETRY - 1, age_s=45)         # 31 inside the window

    assert nowhere(base_url, ip).status_code == 404     # count 31 -> logged (32 recent)
    assert rule_rows(db, ip) == [], "rows older than FUSIO_FIREWALL_FINDTIME were counted"
    assert nowhere(base_url, ip).status_code == 404     # count 32, not > 32 -> logged (33 recent)
    assert rule_rows(db, ip) == [], "banned at count == MAXRETRY: Fusio bans only when count > MAXRETRY"
    assert len(log_rows(db, ip)) == 60 + MAXRETRY + 1

    assert nowhere(base_url, ip).status_code == 404     # count 33 > 32 -> ban instead of a log row
    t_ban = time.monotonic()
    assert len(log_rows(db, ip)) == 60 + MAXRETRY + 1
    bans = rule_rows(db, ip)
    assert len(bans) == 1 and bans[0]["status"] == 1 and bans[0]["type"] == 0, bans
    wait_enforced(base_url, ip, t_ban, blocked=True)


# ============================================================================= rules written by PHP
def test_ban_written_by_php_takes_effect_within_a_second_and_lifting_it_too(base_url, db, ips):
    ip = ips()
    expire = utcnow() + dt.timedelta(seconds=BANTIME_S)
    rule = insert_rule(db, ip, 0, expire=expire,
                       name="Ban-" + ip.replace(".", "-") + "-" + expire.strftime("%Y%m%d%H%M%S"))
    t0 = time.monotonic()
    delay = wait_enforced(base_url, ip, t0, blocked=True)
    assert delay <= ENFORCE_DEADLINE_S, f"a ban written by PHP took {delay:.2f} s to take effect"

    # the backend "deletes" a rule by setting status 0: here that lifts it (Fusio's defect fixed, §6.3)
    q(db, "UPDATE fusio_firewall SET status = 0 WHERE id = %s", (rule,))
    t1 = time.monotonic()
    assert php_blocks(db, ip), "precondition: PHP itself would still block (it ignores status)"
    delay = wait_enforced(base_url, ip, t1, blocked=False)
    assert delay <= ENFORCE_DEADLINE_S

    # and a rule deleted outright
    rule = insert_rule(db, ip, 0)
    wait_enforced(base_url, ip, time.monotonic(), blocked=True)
    q(db, "DELETE FROM fusio_firewall WHERE id = %s", (rule,))
    wait_enforced(base_url, ip, time.monotonic(), blocked=False)
    assert log_rows(db, ip) == [], "refused requests or /health answers were logged"


def test_which_rules_block(base_url, token_url, db, ips, fw_app, fw_user):
    """Only an active, unexpired deny row without an active, unexpired allow row blocks (issue 5: status 0 rows
    do not block — Fusio's defect fixed; an allow row overrides a deny)."""
    past = utcnow() - dt.timedelta(minutes=1)
    cases = {}

    def case(label: str, blocked: bool, rules: list[dict]) -> None:
        ip = ips()
        for rule in rules:
            insert_rule(db, ip, **rule)
        cases[label] = (ip, blocked)

    case("deny", True, [dict(type_=0)])
    case("deny without expiry (expire NULL)", True, [dict(type_=0, expire=None)])
    case("deny with status 0 (deleted in the backend)", False, [dict(type_=0, status=0)])
    case("expired deny", False, [dict(type_=0, expire=past)])
    case("deny + allow", False, [dict(type_=0), dict(type_=1)])
    case("deny + allow without expiry", False, [dict(type_=0), dict(type_=1, expire=None)])
    case("deny + allow with status 0", True, [dict(type_=0), dict(type_=1, status=0)])
    case("deny + expired allow", True, [dict(type_=0), dict(type_=1, expire=past)])
    case("allow only", False, [dict(type_=1)])
    case("deny with status 0 + expired deny", False, [dict(type_=0, status=0), dict(type_=0, expire=past)])
    t0 = time.monotonic()

    control, _ = cases["deny"]
    wait_enforced(base_url, control, t0, blocked=True)   # every thread has read the rows of all cases now
    wrong = []
    for label, (ip, blocked) in cases.items():
        got = [health(base_url, ip).status_code for _ in range(THREADS_SAMPLE)]
        if got != [403 if blocked else 200] * THREADS_SAMPLE:
            wrong.append(f"{label} ({ip}): expected {'blocked' if blocked else 'allowed'}, got {got}")
    assert not wrong, "\n".join(wrong)

    # the refusal happens before the credential checks; the allowed ones really reach them
    for label, (ip, blocked) in cases.items():
        r = token_request(token_url, {"grant_type": "client_credentials"}, auth=(fw_app.key, fw_app.secret),
                          headers=xff(ip))
        if blocked:
            assert_oauth_error(r, 400, "invalid_request", (fw_app.secret,), BLOCKED)
        else:
            assert_token_response(r)
    assert_blocked_everywhere(base_url, token_url, cases["deny + allow with status 0"][0], fw_app, fw_user)
    for ip, _ in cases.values():
        assert log_rows(db, ip) == [], f"{ip}: refused answers must not be logged"


def test_blocked_login_is_refused_before_the_password_check(base_url, db, ips):
    """A wrong password from a blocked IP does not reach the account (no login failure counted) and a right one
    gets no token."""
    user = create_user("Consumer")
    ip = ips()
    insert_rule(db, ip, 0)
    wait_enforced(base_url, ip, time.monotonic(), blocked=True)
    for password in (user.password + "-wrong", user.password):
        r = requests.post(base_url + "/consumer/login", json={"username": user.name, "password": password},
                          headers=xff(ip), timeout=20)
        assert_generic_error(r, 403, BLOCKED)
    assert q(db, "SELECT * FROM fusioauth_login_attempt WHERE user_id = %s", (user.id,)) == [], \
        "a blocked request reached the password check (a failure was counted in some budget)"
    assert q1(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (user.id,))["n"] == 0


# ============================================================================= FUSIO_FIREWALL_IGNOREIP
def test_ignored_ip_is_never_counted_nor_blocked(base_url, db, ips):
    """127.0.0.1 (nginx's address, and what a request without X-Forwarded-For resolves to) is in
    FUSIO_FIREWALL_IGNOREIP: many client errors neither log nor ban it, and even a deny row does not block it."""
    def rows() -> tuple[int, int]:
        return (q1(db, "SELECT COUNT(*) AS n FROM fusio_firewall_log WHERE ip = '127.0.0.1'")["n"],
                q1(db, "SELECT COUNT(*) AS n FROM fusio_firewall WHERE ip = '127.0.0.1'")["n"])

    logged, banned = rows()
    for i in range(MAXRETRY + 8):
        # without the header, and with it naming the ignored address explicitly
        r = nowhere(base_url, None if i % 2 else "127.0.0.1")
        assert r.status_code == 404, f"#{i + 1}: HTTP {r.status_code} {r.text[:300]}"
    assert rows()[0] == logged, "client errors of an ignored IP were counted"
    assert rows()[1] == banned, "an ignored IP was banned"

    control = ips()
    rule = insert_rule(db, "127.0.0.1", 0)
    try:
        insert_rule(db, control, 0)
        t0 = time.monotonic()
        wait_enforced(base_url, control, t0, blocked=True)   # the rules were re-read by every thread
        for i in range(THREADS_SAMPLE):
            r = health(base_url, None if i % 2 else "127.0.0.1")
            assert r.status_code == 200, f"ignored IP blocked by a deny row: HTTP {r.status_code} {r.text[:200]}"
    finally:
        q(db, "DELETE FROM fusio_firewall WHERE id = %s", (rule,))
