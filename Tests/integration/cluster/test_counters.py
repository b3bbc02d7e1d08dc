"""Fusio's firewall and fusio-auth's account throttling count across nodes (issue 10): the client errors of one
address and the failed logins of one account add up to the same limits when their requests alternate between
pool 1 (node 1) and pool 2 (node 2), or arrive at both at once.

The behaviour on one server is in test_firewall.py and test_account_protection.py; their helpers are reused.
"""

from __future__ import annotations

import time

from conftest import fire_together, q
from test_account_protection import INVALID, MAXFAILURES, SHARED, attempt, cheap_user, new_ip
from test_firewall import MAXRETRY, client_error, fresh_ip, nowhere, wait_enforced
from grantlib import assert_generic_error

from .clusterlib import Cluster

NODES = (1, 2, 3)


def on_every_node(cluster: Cluster, sql: str, args) -> list:
    """The same query on each node (causal reads): one result per node."""
    out = []
    for node in NODES:
        with cluster.db(node) as conn:
            out.append(q(conn, sql, args))
    return out


def test_client_errors_of_one_address_alternating_between_nodes_ban_it_on_both(cluster: Cluster, pools_apart,
                                                                               owner, app):
    p1, p2 = pools_apart
    with cluster.db(1) as conn:
        ip = fresh_ip(conn)
    for i in range(MAXRETRY + 1):   # 33 client errors, every other one through the other node: none bans
        pool = (p1, p2)[i % 2]
        r, status = client_error(i, pool.url, pool.token_url, app, ip)
        assert r.status_code == status, f"error #{i + 1} via pool {pool.index}: HTTP {r.status_code} {r.text[:200]}"
    logs = on_every_node(cluster, "SELECT COUNT(*) AS n FROM fusio_firewall_log WHERE ip = %s", (ip,))
    assert [x[0]["n"] for x in logs] == [MAXRETRY + 1] * 3, f"log rows per node: {logs}"
    bans = on_every_node(cluster, "SELECT id FROM fusio_firewall WHERE ip = %s", (ip,))
    assert bans == [[]] * 3, "banned before the 34th client error"

    # the 34th, through node 2, counts the 33 rows written through both nodes and bans
    assert nowhere(p2.url, ip).status_code == 404
    t_ban = time.monotonic()
    bans = on_every_node(cluster, "SELECT ip, type, status FROM fusio_firewall WHERE ip = %s", (ip,))
    assert bans == [[{"ip": ip, "type": 0, "status": 1}]] * 3, f"expected one ban row on every node: {bans}"
    for pool in (p1, p2):
        wait_enforced(pool.url, ip, t_ban, blocked=True)


def test_failed_logins_of_one_account_on_both_nodes_at_once_spend_one_budget(cluster: Cluster, pools_apart):
    """10 wrong passwords from 10 unknown addresses, 5 through each node at the same moment: every one answered as
    a wrong password (a certification conflict on the shared counter row is retried, never a 503), and the shared
    budget counts exactly 10 on every node. Then the right password, from a new address through either node, gets
    the wrong-password answer without being counted."""
    p1, p2 = pools_apart
    with cluster.db(1) as conn:
        victim = cheap_user(conn)

    def wrong(pool):
        ip = new_ip()
        return (lambda s: attempt("consumer_login", pool.url, None, victim.name, "wrong-" + victim.password, ip,
                                  session=s)), pool.url + "/health"

    responses = fire_together([wrong(p) for p in (p1, p2) for _ in range(MAXFAILURES // 2)])
    odd = [(r.status_code, r.text[:200]) for r in responses
           if r.status_code != 400 or r.json().get("message") != INVALID]
    assert not odd, f"{len(odd)} of {MAXFAILURES} wrong passwords were not answered as such: {odd}"
    budgets = on_every_node(cluster, "SELECT failures FROM fusioauth_login_attempt WHERE user_id = %s AND source = %s",
                            (victim.id, SHARED))
    assert budgets == [[{"failures": MAXFAILURES}]] * 3, f"the shared budget per node: {budgets}"

    for pool in (p1, p2):
        r = attempt("consumer_login", pool.url, None, victim.name, victim.password, new_ip())
        assert_generic_error(r, 400, INVALID)
    budgets = on_every_node(cluster, "SELECT failures FROM fusioauth_login_attempt WHERE user_id = %s AND source = %s",
                            (victim.id, SHARED))
    assert budgets == [[{"failures": MAXFAILURES}]] * 3, f"attempts on a spent budget were counted: {budgets}"


def test_failed_logins_alternating_between_nodes_spend_the_budget(cluster: Cluster, pools_apart):
    p1, p2 = pools_apart
    with cluster.db(2) as conn:
        victim = cheap_user(conn)
    for i in range(MAXFAILURES):
        pool = (p1, p2)[i % 2]
        r = attempt("consumer_login", pool.url, None, victim.name, "wrong-" + victim.password, new_ip())
        assert_generic_error(r, 400, INVALID)
    for pool in (p2, p1):
        assert_generic_error(attempt("consumer_login", pool.url, None, victim.name, victim.password, new_ip()), 400,
                             INVALID)
    budgets = on_every_node(cluster, "SELECT failures FROM fusioauth_login_attempt WHERE user_id = %s AND source = %s",
                            (victim.id, SHARED))
    assert budgets == [[{"failures": MAXFAILURES}]] * 3, f"the shared budget per node: {budgets}"
