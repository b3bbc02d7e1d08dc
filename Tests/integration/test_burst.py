"""A burst of concurrent clients through the web server: every request must be answered 200.

256 clients start together (a barrier, no sleeps) and each sends 20 client_credentials requests over its own
kept-alive connection (one requests.Session per client). The web server opens as many FastCGI connections as
it has requests in flight, and fusio-auth's event loops must hold all of them and queue the requests for the
pool's threads: no 502 from nginx for a full upstream, no 503 from Apache, no 503 from fusio-auth's queue
deadline. Marked `webserver`, so scripts/test runs it through nginx and through Apache.
"""

from __future__ import annotations

import collections
import threading
import time

import pytest
import requests

from conftest import App, basic

CLIENTS = 256
REQUESTS_PER_CLIENT = 20
REQUEST_TIMEOUT = 30      # seconds per request; the whole burst normally takes a few seconds
OVERALL_TIMEOUT = 120     # bound on the whole test, should a client hang


@pytest.mark.webserver
def test_burst_of_concurrent_clients_is_answered(token_url, consumer_app: App):
    barrier = threading.Barrier(CLIENTS)
    lock = threading.Lock()
    statuses: collections.Counter = collections.Counter()
    failures: list[str] = []   # the first few, for the message
    headers = {"User-Agent": "fusio-auth-tests/1.0 (burst)",
               "Authorization": basic(consumer_app.key, consumer_app.secret)}
    data = {"grant_type": "client_credentials", "scope": "authorization"}

    def client(n: int) -> None:
        with requests.Session() as session:
            try:
                barrier.wait(timeout=OVERALL_TIMEOUT)
            except threading.BrokenBarrierError:
                pass   # another client failed to start: run anyway, the counts tell
            for _ in range(REQUESTS_PER_CLIENT):
                try:
                    r = session.post(token_url, data=data, headers=headers, timeout=REQUEST_TIMEOUT)
                    outcome = r.status_code
                    if outcome == 200 and "access_token" not in r.json():
                        outcome = "200 without a token"
                    ok, detail = outcome == 200, f"HTTP {r.status_code}: {r.text[:200]!r}"
                except (requests.RequestException, ValueError) as e:
                    ok, outcome, detail = False, type(e).__name__, repr(e)[:200]
                with lock:
                    statuses[outcome] += 1
                    if not ok and len(failures) < 5:
                        failures.append(f"client {n}: {detail}")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, OVERALL_TIMEOUT - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    hung = sum(t.is_alive() for t in threads)

    total = CLIENTS * REQUESTS_PER_CLIENT
    summary = f"{dict(statuses)} in {elapsed:.1f}s"
    assert hung == 0, f"{hung} clients still running after {OVERALL_TIMEOUT}s; so far {summary}"
    assert statuses[200] == total, f"not every request was answered 200: {summary}\n" + "\n".join(failures)
    print(f"burst: {total} requests from {CLIENTS} clients, {summary}")
