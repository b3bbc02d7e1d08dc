"""Group commit of token writes (README, "Group commit of token writes"): concurrent token requests of one worker
process are written together, several `fusio_token` rows and their `fusio_audit` rows in one transaction. Every
request still gets exactly one row of its own, byte for byte the row it would get alone, and an audit row that
points at that row's id (which the server assigned: never guessed from the first id).

A private pool of one worker with eight threads and `--metrics`, so that the batches can be counted: 64 requests
for four apps of two users fired together through its nginx.
"""

from __future__ import annotations

import json

import pytest
import requests

from conftest import category_id, create_app, create_user, decode_jwt, fire_together, q
from frontlib import Pool
from grantlib import assert_token_response, check_claims, token_row
from test_metrics import scrape, value

N = 64
UA = "fusio-auth-tests/1.0 (group commit)"


@pytest.fixture(scope="module")
def pool():
    with Pool("group-commit", workers=1, threads=8, metrics=True) as p:
        yield p


def test_concurrent_tokens_each_get_their_own_row_and_audit_row(pool, db, app_url, project_key):
    users = [create_user("Consumer") for _ in range(2)]
    apps = [create_app(users[i % 2], "authorization,default") for i in range(4)]

    def client(i: int):
        app = apps[i % 4]
        return lambda s: s.post(pool.token_url, data={"grant_type": "client_credentials", "scope": "default"},
                                auth=(app.key, app.secret), headers={"User-Agent": f"{UA} #{i}"}, timeout=60)

    before = scrape(pool)
    answers = fire_together([(client(i), pool.url + "/health") for i in range(N)])
    failed = [(i, a) for i, a in enumerate(answers) if a.status_code != 200]
    assert not failed, f"{len(failed)} of {N} requests failed: {[(i, a.text) for i, a in failed][:5]}"
    after = scrape(pool)

    ids = set()
    for i, answer in enumerate(answers):
        body = assert_token_response(answer)
        app, user = apps[i % 4], users[i % 2]
        check_claims(decode_jwt(body["access_token"], project_key), app_url, user, app, body["expires_in"])
        row = token_row(db, body["access_token"])
        assert (row["app_id"], row["user_id"], row["status"], row["refresh"], row["scope"], row["name"]) == \
            (app.id, user.id, 1, body["refresh_token"], "default", f"{UA} #{i}")
        assert row["tenant_id"] is None and row["category_id"] == category_id(db, "authorization")
        assert row["ip"] == "127.0.0.1"
        ids.add(row["id"])
        audits = q(db, "SELECT * FROM fusio_audit WHERE ref_id = %s AND event = 'token.generate'", (row["id"],))
        assert len(audits) == 1, f"token {row['id']}: {len(audits)} audit rows"
        audit = audits[0]
        assert (audit["app_id"], audit["user_id"], audit["ip"], audit["message"], audit["date"]) == \
            (app.id, user.id, "127.0.0.1", "Generated token", row["date"])
        # Fusio's content, byte for byte: the token id the server gave this row, then scope, expires, now.
        assert audit["content"] == json.dumps(
            {"tokenId": row["id"], "scope": ["default"], "expires": str(row["expire"]), "now": str(row["date"])},
            separators=(",", ":")), audit["content"]
    assert len(ids) == N, "every request has a row of its own"
    per_app = q(db, "SELECT app_id, COUNT(*) AS n FROM fusio_token WHERE app_id IN %s GROUP BY app_id",
                ([a.id for a in apps],))
    assert {r["app_id"]: r["n"] for r in per_app} == {a.id: N // 4 for a in apps}, "exactly one row per request"

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("fusio_auth_token_write_batch_size_sum") == N, "every token went through the coalescer once"
    transactions = delta("fusio_auth_token_write_batch_size_count")
    assert transactions < N, "64 tokens at once on 8 threads: some were written together"
    assert delta("fusio_auth_token_write_fallbacks_total") == 0
