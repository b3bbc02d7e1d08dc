"""GET /authorization/whoami (issue 4, reference §3.6, §3.8, §3.3.6 UserAvailable), end to end through nginx.

The answer is Fusio's user view: id, roleId, planId?, status, name, email?, points?, scopes (the USER's available
scopes incl. plan scopes, in Fusio's order, not the token's), plans?, metadata?, date ("Y-m-dTH:i:sZ"); null
members are omitted, and so is `plans` when the user has none, as PHP does (issue 12). The token needs a scope that fusio_scope_operation allows for `authorization.getWhoami`
(seeded: `authorization`), or `openid`. A switched-off operation row answers 404.
"""

from __future__ import annotations

import json
import secrets

import pytest
import requests

from conftest import User, create_app, create_user, q, q1, sql_create_user
from grantlib import CONSUMER_SUBS, FULL_CONSUMER, create_plan_with_scopes
from resourcelib import (UA, WHOAMI, add_app_scope, add_user_scope, assert_bearer_401, assert_generic, assert_json,
                         check_cors, consumer_login, create_scope, link_scope_operation, mint_php_token,
                         operation_status, poll, poll_status, settle, table_exists, whoami)

VIEW_ORDER = ["id", "roleId", "planId", "status", "name", "email", "points", "scopes", "plans", "metadata", "date"]


def user_row(db, user_id: int) -> dict:
    row = q1(db, "SELECT * FROM fusio_user WHERE id = %s", (user_id,))
    assert row is not None
    return row


def expected_view(db, user_id: int, scopes: list[str]) -> dict:
    """The user view from the row: null members left out, in Fusio's member order."""
    row = user_row(db, user_id)
    view = {
        "id": row["id"], "roleId": row["role_id"], "planId": row["plan_id"], "status": row["status"],
        "name": row["name"], "email": row["email"], "points": row["points"], "scopes": scopes,
        "plans": None, "metadata": json.loads(row["metadata"]) if row["metadata"] is not None else None,
        "date": row["date"].strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {k: v for k, v in view.items() if v is not None}


def assert_view(r: requests.Response, expected: dict, db) -> dict:
    assert r.status_code == 200, f"whoami: HTTP {r.status_code}: {r.text[:500]}"
    body = assert_json(r)
    if not table_exists(db, "fusio_transaction"):
        assert "plans" not in body, "no fusio_transaction table: no plans, so PHP leaves the member out"
    elif "plans" in body:
        assert body["plans"], "an empty plan list is left out, not sent as []"
        expected = dict(expected, plans=body["plans"])
    assert body == expected, f"\n got      {body}\n expected {expected}"
    assert list(body) == [k for k in VIEW_ORDER if k in expected], f"member order {list(body)}"
    return body


# ============================================================================= the view
@pytest.mark.webserver
def test_view_of_a_consumer(base_url, db):
    u = create_user("Consumer")
    token = consumer_login(base_url, u)["token"]
    body = assert_view(whoami(base_url, token), expected_view(db, u.id, FULL_CONSUMER), db)
    for absent in ("planId", "points", "metadata"):
        assert absent not in body, f"{absent} is NULL and must be omitted"
    assert body["email"] == u.email


def test_view_with_plan_points_and_metadata(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization", "default"))
    plan_id = create_plan_with_scopes(db, ["openid", "default"])        # default: also a user scope, listed once
    q(db, "UPDATE fusio_user SET plan_id = %s, points = %s, metadata = %s WHERE id = %s",
      (plan_id, 100, json.dumps({"foo": "bar", "list": [1, 2], "nested": {"a": None}}), u.id))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    body = assert_view(whoami(base_url, m.token), expected_view(db, u.id, ["authorization", "default", "openid"]), db)
    assert body["planId"] == plan_id and body["points"] == 100
    assert body["metadata"] == {"foo": "bar", "list": [1, 2], "nested": {"a": None}}


def test_view_scopes_are_the_users_not_the_tokens(base_url, app_url, project_key, db):
    # the token carries only "authorization"; the view lists every scope of the user, roots expanded by name
    u = sql_create_user(db, None, scopes=("consumer", "authorization"))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    expected = ["consumer"] + [f"consumer.{s}" for s in CONSUMER_SUBS] + ["authorization"]
    assert_view(whoami(base_url, m.token), expected_view(db, u.id, expected), db)


def test_view_without_email(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    q(db, "UPDATE fusio_user SET email = NULL WHERE id = %s", (u.id,))
    m = mint_php_token(db, project_key, app_url, User(u.id, u.name, "", ""), None, "authorization")
    body = assert_view(whoami(base_url, m.token), expected_view(db, u.id, ["authorization"]), db)
    assert "email" not in body


def test_view_of_an_app_token(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization", "default"))
    a = create_app(u, "authorization,default")
    m = mint_php_token(db, project_key, app_url, u, a, "authorization,default")
    assert_view(whoami(base_url, m.token), expected_view(db, u.id, ["authorization", "default"]), db)


def test_view_date_format(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    q(db, "UPDATE fusio_user SET date = '2021-02-03 04:05:06' WHERE id = %s", (u.id,))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    r = whoami(base_url, m.token)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["date"] == "2021-02-03T04:05:06Z"


# ============================================================================= which tokens may call it
def test_openid_alone_is_enough(base_url, app_url, project_key, db):
    # issue 4: an openid-only token may use the userinfo endpoint (Fusio 8.8.4 refuses it, §8.2 item 24)
    u = sql_create_user(db, None, scopes=("openid", "default"))
    m = mint_php_token(db, project_key, app_url, u, None, "openid")
    assert_view(whoami(base_url, m.token), expected_view(db, u.id, ["openid", "default"]), db)


@pytest.mark.parametrize("scope", ["default", "consumer", "consumer.account", "backend", "authorizationx",
                                   "default,consumer.app"])
def test_token_without_an_allowed_scope(scope, base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization", "default", "consumer"))
    m = mint_php_token(db, project_key, app_url, u, None, scope)
    assert_bearer_401(whoami(base_url, m.token), app_url)


@pytest.mark.webserver
def test_no_token(base_url, app_url):
    assert_bearer_401(requests.get(base_url + WHOAMI, headers={"User-Agent": UA}, timeout=20), app_url)


def test_scope_granted_through_scope_operation(base_url, app_url, token_url, db):
    # a new scope linked to authorization.getWhoami (allow 1), given to a user and an app: a token with only that
    # scope reaches whoami. The grant is read from fusio_scope_operation, not hard-coded.
    sid, name = create_scope(db, "whoami_only_" + secrets.token_hex(3), "Whoami only", category="authorization")
    link_scope_operation(db, sid, "authorization.getWhoami", allow=1)
    u = create_user("Consumer")
    add_user_scope(db, u.id, sid)
    a = create_app(u, "authorization")
    add_app_scope(db, a.id, sid)

    def issue():
        r = requests.post(token_url, data={"grant_type": "password", "username": u.name, "password": u.password,
                                           "scope": name}, auth=(a.key, a.secret), headers={"User-Agent": UA},
                          timeout=20)
        return r.json() if r.status_code == 200 and r.json().get("scope") == name else None
    token = poll(issue, f"a token with only scope {name}")["access_token"]
    r = poll_status(lambda: whoami(base_url, token), 200, "whoami accepts the whoami_only token")
    assert r.json()["id"] == u.id
    assert name in r.json()["scopes"]


def test_scope_operation_allow_0_does_not_grant(base_url, app_url, project_key, db):
    sid, name = create_scope(db, "whoami_deny_" + secrets.token_hex(3), "", category="authorization")
    link_id = link_scope_operation(db, sid, "authorization.getWhoami", allow=0)
    u = sql_create_user(db, None, scopes=("default",))
    add_user_scope(db, u.id, sid)
    m = mint_php_token(db, project_key, app_url, u, None, name)
    # the scope exists and is linked, but with allow 0: refused, also after every cache has seen the rows
    settle(lambda: whoami(base_url, m.token).status_code == 401, "whoami refuses an allow-0 scope")
    assert_bearer_401(whoami(base_url, m.token), app_url)
    # the same link with allow 1 grants access: the column is what decides
    q(db, "UPDATE fusio_scope_operation SET allow = 1 WHERE id = %s", (link_id,))
    poll(lambda: whoami(base_url, m.token).status_code == 200, "whoami accepts the scope once allow = 1")


def test_deleted_scope_no_longer_grants(base_url, app_url, project_key, db):
    sid, name = create_scope(db, "whoami_del_" + secrets.token_hex(3), "", category="authorization")
    link_scope_operation(db, sid, "authorization.getWhoami", allow=1)
    u = sql_create_user(db, None, scopes=("default",))
    m = mint_php_token(db, project_key, app_url, u, None, name)
    poll(lambda: whoami(base_url, m.token).status_code == 200, "whoami accepts the linked scope")
    q(db, "UPDATE fusio_scope SET status = 0 WHERE id = %s", (sid,))     # deleted in the backend (s.status = 1)
    r = poll_status(lambda: whoami(base_url, m.token), 401, "whoami refuses a scope whose row was deleted")
    assert_bearer_401(r, app_url)


# ============================================================================= the operation row
def test_operation_switched_off_answers_404(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    assert whoami(base_url, m.token).status_code == 200
    try:
        with operation_status(db, "authorization.getWhoami", 0):
            r = poll_status(lambda: whoami(base_url, m.token), 404,
                            "whoami answers 404 while authorization.getWhoami has status 0")
            assert_generic(r, 404)
            assert "WWW-Authenticate" not in r.headers
    finally:
        settle(lambda: whoami(base_url, m.token).status_code == 200, "whoami is back after the row is restored")
    assert whoami(base_url, m.token).status_code == 200


@pytest.mark.webserver
def test_cors(base_url):
    check_cors(base_url, WHOAMI, ["GET"])


@pytest.mark.webserver
def test_cors_on_success(base_url, app_url, project_key, db):
    u = sql_create_user(db, None, scopes=("authorization",))
    m = mint_php_token(db, project_key, app_url, u, None, "authorization")
    r = requests.get(base_url + WHOAMI, headers={"Origin": "https://spa.example.org", "User-Agent": UA,
                                                 "Authorization": f"Bearer {m.token}"}, timeout=20)
    assert r.status_code == 200, r.text[:300]
    assert r.headers.get("Access-Control-Allow-Origin") == "*", dict(r.headers)
    r = requests.get(base_url + WHOAMI, headers={"User-Agent": UA, "Authorization": f"Bearer {m.token}"}, timeout=20)
    assert "Access-Control-Allow-Origin" not in r.headers
