"""Races on single-use credentials across nodes (issue 10). On one server the row lock (SELECT ... FOR UPDATE)
queues the losers behind the winner; in Galera a row lock is local to its node, and two nodes that rotate the same
refresh token (or consume the same code) at once find out at commit: the write set that is certified second fails
with error 1213. The store retries such a transaction; the retry then sees the rotated row and answers 400
invalid_grant. Whatever the timing: exactly one 200, every other answer 400 invalid_grant (never 500/503, never a
second token), on both nodes.

The requests go half to each pool's own nginx (pool 1 on node 1, pool 2 on node 2), released together by a barrier
after their keep-alive connections are open.
"""

from __future__ import annotations

import pytest

from conftest import App, User, fire_together, q
from grantlib import assert_token_response, insert_code, token_request

from .clusterlib import Cluster

ROUNDS = range(3)


def one_winner(responses, what: str):
    codes = sorted(r.status_code for r in responses)
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    odd = [(r.status_code, r.text[:200]) for r in losers
           if r.status_code != 400 or r.json().get("error") != "invalid_grant"]
    assert len(winners) == 1 and not odd, \
        f"{what}: expected one 200 and {len(responses) - 1} x 400 invalid_grant, got {codes}; odd answers: {odd}"
    return assert_token_response(winners[0])


def token_rows(cluster: Cluster, node: int, app: App) -> list[dict]:
    with cluster.db(node) as conn:
        return q(conn, "SELECT id, token, refresh, status FROM fusio_token WHERE app_id = %s ORDER BY id", (app.id,))


@pytest.mark.parametrize("round_", ROUNDS)
def test_same_refresh_token_twenty_times_on_two_nodes(round_, cluster: Cluster, pools_apart, app: App):
    p1, p2 = pools_apart
    issued = assert_token_response(token_request(p1.token_url, {"grant_type": "client_credentials"},
                                                 auth=(app.key, app.secret)))

    def refresh(pool):
        data = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
        return lambda s: token_request(pool.token_url, data, auth=(app.key, app.secret), session=s), pool.url + "/health"

    responses = fire_together([refresh(p1 if i % 2 == 0 else p2) for i in range(20)])
    body = one_winner(responses, "20 refreshes of one token, 10 per node")

    # both nodes hold the same rows: the original (rotated) and the one new token, which is the winner's
    rows = {node: token_rows(cluster, node, app) for node in (1, 2, 3)}
    assert rows[1] == rows[2] == rows[3], "the nodes disagree on the token rows"
    assert [r["token"] for r in rows[1]] == [issued["access_token"], body["access_token"]], \
        f"expected the original and the winner's token only, got {len(rows[1])} rows"
    assert rows[1][0]["status"] == 2, "the refreshed row is retired"


@pytest.mark.parametrize("per_node", [1, 5])
@pytest.mark.parametrize("round_", ROUNDS)
def test_same_code_exchanged_on_both_nodes_at_once(round_, per_node, cluster: Cluster, pools_apart, owner: User,
                                                    app: App):
    p1, p2 = pools_apart
    redirect = "https://app.example.com/cb"
    with cluster.db(1) as conn:
        code = insert_code(conn, app, owner, "authorization,default", redirect)

    def exchange(pool):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
        return lambda s: token_request(pool.token_url, data, auth=(app.key, app.secret), session=s), pool.url + "/health"

    responses = fire_together([exchange(p) for p in (p1, p2) for _ in range(per_node)])
    body = one_winner(responses, f"one code exchanged {per_node} x on each node")
    rows = {node: token_rows(cluster, node, app) for node in (1, 2, 3)}
    assert rows[1] == rows[2] == rows[3], "the nodes disagree on the token rows"
    assert [r["token"] for r in rows[1]] == [body["access_token"]], f"expected one token row, got {len(rows[1])}"
