"""Races on single-use credentials, through nginx into the pool: of 20 concurrent refreshes of one refresh
token, or 20 concurrent exchanges of one authorization code, exactly one succeeds (issue 3, reference §8.2
items 2, 4 and 26: SELECT ... FOR UPDATE on the token row / code row, rotation in one transaction). And the
race between a token write and a deactivation committed while it runs.

Each request runs in its own thread with its own requests.Session. The sessions first open their
keep-alive connection (GET /health), then all threads wait at a barrier and fire together. Every one of the 20
requests must be answered by fusio-auth itself: a 502 is a failure.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests

from conftest import create_app, create_user, db_connect, fire_together, q
from grantlib import (CONSUMED, UA, assert_oauth_error, assert_token_response, code_row, insert_code, pkce_pair,
                      row_by_refresh, statuses, token_request, token_row)

N = 20
# scripts/test --long runs every race 10 times: a lost race is rare, so more rounds find more
ROUNDS = range(10 if os.environ.get("FA_LONG") == "1" else 1)


def deadlocks(db) -> int:
    return int(q(db, "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")[0]["Value"])


@pytest.fixture(autouse=True)
def no_deadlocks(db):
    """Every writer reacting to one presented token or code takes that row's lock first, so the losers queue
    behind the winner instead of deadlocking with it (a deadlock is retried, but a burst of them once exhausted
    the retries and answered 503). Checked on the server's counter, which nothing else moves during a race."""
    before = deadlocks(db)
    yield
    assert deadlocks(db) == before, "InnoDB deadlocks during the race"


def race(base_url: str, fire) -> list[requests.Response]:
    """Runs fire(session) in N threads released together by a barrier; returns the N final responses."""
    return fire_together([(fire, base_url + "/health")] * N)


def one_winner(responses: list[requests.Response]) -> tuple[requests.Response, list[requests.Response]]:
    codes = [r.status_code for r in responses]
    assert 502 not in codes, f"fusio-auth never answered some requests (nginx 502): {codes}"
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, f"expected exactly one 200 among {N}, got statuses {sorted(codes)}"
    return winners[0], [r for r in responses if r.status_code != 200]


def assert_losers(losers: list[requests.Response], error: str, description: str | None = None) -> None:
    """Every loser got 400 with the same OAuth error (checked last, after the database state, and all at once so
    that a failure lists every odd answer)."""
    def ok(r):
        if r.status_code != 400 or "no-store" not in r.headers.get("Cache-Control", ""):
            return False
        body = r.json()
        return body.get("error") == error and (description is None or body.get("error_description") == description)
    odd = [(r.status_code, r.text[:200]) for r in losers if not ok(r)]
    assert not odd, f"{len(odd)} of {len(losers)} losers did not get 400 {error} {description or ''}: {odd}"
    assert len({r.json()["error_description"] for r in losers}) == 1, "the losers got different messages"


@pytest.fixture()
def user():
    return create_user("Consumer")


@pytest.fixture()
def app(user):
    return create_app(user, "authorization,default")


@pytest.mark.parametrize("round_", ROUNDS)
def test_concurrent_refreshes_of_one_token(round_, base_url, token_url, db, user, app):
    issued = assert_token_response(token_request(token_url, {"grant_type": "client_credentials", "scope": "default"},
                                                 auth=(app.key, app.secret)))
    original = token_row(db, issued["access_token"])

    def fire(s):
        return token_request(token_url, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
                             auth=(app.key, app.secret), session=s)

    winner, losers = one_winner(race(base_url, fire))
    body = assert_token_response(winner)
    assert body["scope"] == "default"

    # Exactly one row was created, and it is the winner's.
    rows = q(db, "SELECT id, token, refresh, status FROM fusio_token WHERE user_id = %s AND app_id = %s AND id <> %s",
             (user.id, app.id, original["id"]))
    assert len(rows) == 1, f"expected one new token row, got {len(rows)}"
    assert rows[0]["token"] == body["access_token"] and rows[0]["refresh"] == body["refresh_token"]
    assert row_by_refresh(db, issued["refresh_token"])["status"] == 2, "the refreshed row is retired"
    # The 19 losers presented a refresh token that the winner had already rotated: each of them read the row
    # (or waited for its lock) only after the winner committed, saw status 2 and answered invalid_grant with
    # reuse detection, which revoked every active token of this user and app - the winner's new token
    # included. So no active token remains, and the winner's refresh token is dead as well.
    assert rows[0]["status"] == 2, "reuse detection by the losers revokes the winner's token"
    assert statuses(db, user.id, app.id) == {original["id"]: 2, rows[0]["id"]: 2}
    audits = q(db, "SELECT COUNT(*) AS n FROM fusio_audit WHERE ref_id = %s AND event = 'token.generate'",
               (rows[0]["id"],))
    assert audits[0]["n"] == 1
    r = token_request(token_url, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
                      auth=(app.key, app.secret))
    assert_oauth_error(r, 400, "invalid_grant", (app.secret,))
    assert_losers(losers, "invalid_grant", "Invalid refresh token")


@pytest.mark.parametrize("round_", ROUNDS)
def test_concurrent_exchanges_of_one_code(round_, base_url, token_url, db, user, app):
    redirect = "https://app.example.com/cb"
    code = insert_code(db, app, user, "authorization,default", redirect)

    def fire(s):
        return token_request(token_url, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
                             auth=(app.key, app.secret), session=s)

    winner, losers = one_winner(race(base_url, fire))
    body = assert_token_response(winner)
    assert body["scope"] == "authorization,default"
    rows = q(db, "SELECT id, token, status FROM fusio_token WHERE user_id = %s AND app_id = %s", (user.id, app.id))
    assert len(rows) == 1, f"expected one token row from the code, got {len(rows)}"
    assert rows[0]["token"] == body["access_token"]
    assert code_row(db, code)["date"] == CONSUMED
    # The losers replayed a consumed code (either seen consumed at once, or after waiting for the winner's row
    # lock): each one revoked the user's active tokens of this app, which includes the winner's.
    assert rows[0]["status"] == 2
    assert_losers(losers, "invalid_grant")


@pytest.mark.parametrize("round_", ROUNDS)
def test_concurrent_pkce_exchanges_of_one_code(round_, base_url, token_url, db, user, app):
    verifier, challenge = pkce_pair("S256")
    code = insert_code(db, app, user, "authorization", None, challenge=challenge, method="S256")

    def fire(s):
        return token_request(token_url, {"grant_type": "authorization_code", "code": code, "client_id": app.key,
                                         "code_verifier": verifier}, session=s)

    winner, losers = one_winner(race(base_url, fire))
    body = assert_token_response(winner)
    rows = q(db, "SELECT token FROM fusio_token WHERE user_id = %s AND app_id = %s", (user.id, app.id))
    assert [r["token"] for r in rows] == [body["access_token"]]
    assert_losers(losers, "invalid_grant")


@pytest.mark.parametrize("round_", ROUNDS)
def test_concurrent_consumer_refreshes_of_one_token(round_, base_url, db, user):
    login_url = base_url + "/consumer/login"
    r = requests.post(login_url, json={"username": user.name, "password": user.password, "scopes": ["default"]},
                      headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, r.text
    issued = r.json()
    original = token_row(db, issued["token"])

    def fire(s):
        return s.put(login_url, json={"refresh_token": issued["refresh_token"]}, headers={"User-Agent": UA}, timeout=30)

    responses = race(base_url, fire)
    codes = [x.status_code for x in responses]
    assert 502 not in codes, codes
    winners = [x for x in responses if x.status_code == 200]
    assert len(winners) == 1, f"expected exactly one 200 among {N}, got {sorted(codes)}"
    new = winners[0].json()
    rows = q(db, "SELECT token, status FROM fusio_token WHERE user_id = %s AND app_id IS NULL AND id <> %s",
             (user.id, original["id"]))
    assert [x["token"] for x in rows] == [new["token"]]
    # as above: the losers' reuse detection revoked the winner's token
    assert rows[0]["status"] == 2
    odd = [(x.status_code, x.text[:200]) for x in responses
           if x.status_code != 200 and (x.status_code != 400 or x.json().get("success") is not False
                                        or x.json().get("message") != "Invalid refresh token")]
    assert not odd, f"{len(odd)} of {N - 1} losers did not get 400 'Invalid refresh token': {odd}"



def answer_during_open_deactivation(db, app, send) -> requests.Response:
    """Deactivates `app` in a transaction left open, sends the request, waits until one of the server's statements
    has been running for 200 ms (the token write, stopped at the row the open UPDATE holds: nothing else takes
    that long), commits the deactivation and returns the answer. The server connects as the test's database user,
    so its statements are visible in PROCESSLIST without extra privileges."""
    admin = db_connect()
    try:
        admin.autocommit(False)
        with admin.cursor() as cur:
            cur.execute("UPDATE fusio_app SET status = 3 WHERE id = %s", (app.id,))
        answer: list[requests.Response] = []
        request = threading.Thread(target=lambda: answer.append(send()), daemon=True)
        request.start()
        deadline = time.monotonic() + 30
        while not q(db, "SELECT 1 FROM information_schema.PROCESSLIST WHERE COMMAND = 'Execute' AND ID <> "
                        "CONNECTION_ID() AND TIME_MS > 200"):
            assert request.is_alive(), f"answered without waiting for the open deactivation: {answer[0].text[:300]}"
            assert time.monotonic() < deadline, "the token request never waited for the open deactivation"
            time.sleep(0.01)   # polling the server's state, not waiting for time to pass
        admin.commit()
        request.join(30)
        assert answer, "no answer within 30 s of the deactivation's commit"
        return answer[0]
    finally:
        admin.rollback()
        admin.close()


@pytest.mark.parametrize("grant", ["client_credentials", "refresh_token", "authorization_code"])
def test_deactivation_committed_during_a_token_write_wins(grant, token_url, db, user, app):
    """Every token write checks the user's and app's status with a locking read in its own transaction: a request
    that arrives while a transaction deactivating the app is still open waits for it and, after the commit, gets
    no token. A plain read would have seen the old status, and the insert (whose foreign-key check waits on the
    same row lock) would have followed the commit: a token for a deactivated app, which PHP's bearer check (it
    ignores app status) would accept until it expires."""
    first = assert_token_response(token_request(token_url, {"grant_type": "client_credentials"},
                                                auth=(app.key, app.secret)))
    code = insert_code(db, app, user, "authorization")
    data = {
        "client_credentials": {"grant_type": "client_credentials"},
        "refresh_token": {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        "authorization_code": {"grant_type": "authorization_code", "code": code},
    }[grant]
    r = answer_during_open_deactivation(db, app, lambda: token_request(token_url, data, auth=(app.key, app.secret)))
    if grant == "client_credentials":
        assert_oauth_error(r, 401, "invalid_client", (app.secret,))
    else:
        assert_oauth_error(r, 400, "invalid_grant", (app.secret,), "Invalid app or user status")
    # only the first request's row, still active, and the code unused: nothing changed for the one that waited
    assert statuses(db, user.id, app.id) == {token_row(db, first["access_token"])["id"]: 1}
    assert code_row(db, code)["date"] != CONSUMED
