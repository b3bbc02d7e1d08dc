"""Issue 11, item 3: `serve --metrics` — the pool's Prometheus exposition on a listener of its own.

A private pool of two workers with `--metrics` on a free port; known traffic through its nginx; scrapes before
and after, compared by difference (the health checks of Pool.start are counted too). The supervisor adds the two
workers' figures up, so every assertion is on the pool's sum.
"""

from __future__ import annotations

import os
import re
import shutil
import signal

import pytest
import requests

from conftest import create_app, create_user, post_token, wait_until
from frontlib import Pool

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
UA = {"User-Agent": "fusio-auth-tests/1.0"}


def scrape(pool: Pool) -> dict[tuple, float]:
    """{(name, frozenset of label pairs): value} of one scrape; asserts the text format's content type."""
    r = requests.get(pool.metrics_url, timeout=10)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    (pool.dir / "last-scrape.txt").write_text(r.text)   # kept as the run's sample scrape
    samples = {}
    for line in r.text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        key = (m.group(1), frozenset(LABEL_RE.findall(m.group(2) or "")))
        assert key not in samples, f"sample twice in one scrape (workers not merged): {line!r}"
        samples[key] = float(m.group(3))
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def pool():
    with Pool("metrics", workers=2, threads=2, metrics=True) as p:
        yield p


@pytest.fixture(scope="module")
def app():
    return create_app(create_user("Consumer"), "authorization,consumer,default")


def test_pool_figures_add_up_over_both_workers(pool, app):
    n, m = 12, 3
    before = scrape(pool)
    assert value(before, "fusio_auth_worker_processes") == 2, "both workers' expositions are in the scrape"
    token = None
    for _ in range(n):
        # A new connection each time, so nginx's upstream connections and both workers take turns.
        r = post_token(pool.token_url, {"grant_type": "client_credentials"}, auth=(app.key, app.secret),
                       headers={"Connection": "close"})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
    for _ in range(m):
        r = post_token(pool.token_url, {"grant_type": "client_credentials"}, auth=(app.key, "wrong-secret"))
        assert r.status_code == 401, r.text
    r = requests.get(pool.url + "/authorization/whoami", headers={**UA, "Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200, r.text
    after = scrape(pool)
    shutil.copy(pool.dir / "last-scrape.txt", pool.dir / "traffic-scrape.txt")

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("fusio_auth_tokens_issued_total", grant_type="client_credentials") == n
    assert delta("fusio_auth_oauth_errors_total", error="invalid_client") == m
    # A wrong secret is handed from the standard lane to the password lane; only the answer sent is counted.
    assert delta("fusio_auth_oauth_errors_total", error="temporarily_unavailable") == 0
    assert delta("fusio_auth_requests_total", route="/authorization/token", status="200") == n
    assert delta("fusio_auth_requests_total", route="/authorization/token", status="401") == m
    assert delta("fusio_auth_requests_total", route="/authorization/whoami", status="200") == 1
    assert delta("fusio_auth_request_duration_seconds_count", route="/authorization/token") == n + m
    assert delta("fusio_auth_request_duration_seconds_bucket", route="/authorization/token", le="+Inf") == n + m
    assert delta("fusio_auth_request_duration_seconds_sum", route="/authorization/token") > 0
    # Every request waited in a lane's queue once; the token requests with a secret may be guessed as password
    # checks by the loop, so both lanes together.
    waits = sum(delta("fusio_auth_queue_wait_seconds_count", lane=lane) for lane in ("standard", "password"))
    assert waits >= n + m + 1
    # Nothing is running between requests: the lanes' busy threads are back to 0.
    assert value(after, "fusio_auth_lane_busy_threads", lane="standard") == 0
    assert value(after, "fusio_auth_lane_busy_threads", lane="password") == 0


def test_metrics_are_not_on_the_public_url(pool):
    before = scrape(pool)
    r = requests.get(pool.url + "/metrics", headers=UA, timeout=10)
    assert r.status_code == 404, r.text[:300]
    assert "fusio_auth_" not in r.text
    after = scrape(pool)
    # The 404 came from fusio-auth's router (nginx passed it on), under the one label unknown paths share.
    assert value(after, "fusio_auth_requests_total", route="unmatched", status="404") \
        - value(before, "fusio_auth_requests_total", route="unmatched", status="404") == 1
    # The metrics listener itself answers nothing but /metrics.
    other = requests.get(pool.metrics_url.removesuffix("/metrics") + "/authorization/token", timeout=10)
    assert other.status_code == 404


def test_a_killed_worker_shows_in_the_restart_counter(pool):
    before = scrape(pool)
    restarts = value(before, "fusio_auth_worker_restarts_total")
    victim = sorted(pool.workers_now())[0]
    os.kill(victim, signal.SIGKILL)

    def replaced():
        s = scrape(pool)
        return value(s, "fusio_auth_worker_restarts_total") == restarts + 1 \
            and value(s, "fusio_auth_worker_processes") == 2
    wait_until(replaced, 20, interval=0.1, what="restart counted and the replacement's figures in the scrape")
    assert victim not in pool.workers_now()
    pool.wait_healthy()
