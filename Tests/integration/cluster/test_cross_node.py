"""A token issued through one node works at once on the other (issue 10, "Correctness across nodes"): whoami,
introspect, revoke and refresh through pool 2 (node 2) of a token pool 1 (node 1) has just returned, and the other
way round. Galera commits on every node before the client gets its answer, but another node *applies* the write
set a moment later: a plain read there can miss a row the client already holds. fusio-auth uses causal reads
(wsrep_sync_wait) for these reads.

Each direction keeps one kept-alive session per pool, so the second request leaves as soon as the first answer is
read (well within the same millisecond on this machine); 20 rounds per endpoint.
"""

from __future__ import annotations

import pytest
import requests

from conftest import App, User
from grantlib import assert_token_response

from .clusterlib import UA, Cluster, Pool

ROUNDS = 20


def issue(session: requests.Session, pool: Pool, app: App) -> dict:
    r = session.post(pool.token_url, data={"grant_type": "client_credentials"}, auth=(app.key, app.secret),
                     headers={"User-Agent": UA}, timeout=20)
    return assert_token_response(r)


def bearer(token: str) -> dict:
    return {"User-Agent": UA, "Authorization": "Bearer " + token}


def use(what: str, session: requests.Session, pool: Pool, app: App, tokens: dict) -> requests.Response:
    if what == "whoami":
        return session.get(pool.url + "/authorization/whoami", headers=bearer(tokens["access_token"]), timeout=20)
    if what == "introspect":
        return session.post(pool.url + "/authorization/introspect", data={"token": tokens["access_token"]},
                            auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=20)
    if what == "revoke":
        return session.post(pool.url + "/authorization/revoke", headers=bearer(tokens["access_token"]), timeout=20)
    return session.post(pool.token_url, data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                        auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=20)


@pytest.mark.parametrize("what", ["whoami", "introspect", "revoke", "refresh"])
def test_token_from_one_node_works_at_once_on_the_other(what, cluster: Cluster, pools_apart, owner: User, app: App):
    sessions = {p.index: requests.Session() for p in pools_apart}
    odd = []
    for i in range(ROUNDS):
        src, dst = pools_apart if i % 2 == 0 else pools_apart[::-1]
        tokens = issue(sessions[src.index], src, app)
        r = use(what, sessions[dst.index], dst, app, tokens)
        if r.status_code != 200:
            odd.append((i, f"pool {src.index} -> pool {dst.index}", r.status_code, r.text[:200]))
            continue
        body = r.json()
        if what == "whoami":
            assert body["name"] == owner.name, body
        elif what == "introspect":
            assert body.get("active") is True and body.get("client_id") == app.key, body
        elif what == "revoke":
            assert body == {"success": True}, body
            # and the revocation holds at once back on the node that issued the token
            back = use("whoami", sessions[src.index], src, app, tokens)
            assert back.status_code == 401, f"round {i}: the revoked token still works on pool {src.index}"
        else:
            fresh = assert_token_response(r)
            # the new token works at once on the first node, the old refresh token is spent there too
            assert use("whoami", sessions[src.index], src, app, fresh).status_code == 200, f"round {i}"
            again = use("refresh", sessions[src.index], src, app, tokens)
            assert again.status_code == 400 and again.json().get("error") == "invalid_grant", \
                f"round {i}: a rotated refresh token answered {again.status_code} on pool {src.index}: {again.text[:200]}"
    for s in sessions.values():
        s.close()
    assert not odd, f"{len(odd)} of {ROUNDS} {what} requests failed on the other node: {odd}"
