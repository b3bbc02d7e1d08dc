"""Long tests of the FastCGI front (FA_LONG=1, i.e. `scripts/test --long`; skipped otherwise). They take minutes.

* One million requests through a private nginx whose upstream closes each kept FastCGI connection after 10
  requests (NGINX_KEEPALIVE_REQUESTS=10, so connections churn all the time) into a private 2 x 4 pool: half
  valid client_credentials requests, half generated and mutated ones from fuzzlib (every endpoint, broken
  parameters, bodies, headers, credentials; none that could reach a cost-12 bcrypt check, none that breaks the
  HTTP framing, since wrk must parse every answer, and none that presents a refresh token or authorization code
  the server issued: a cycle replays each of those tens of thousands of times from 16 connections, and every
  replay is a reuse detection that revokes the user's whole token family under row locks, which would measure
  InnoDB lock contention on one family instead of the front). wrk cycles through the list (wrk-cycle.lua) and counts the
  answers per status. Asserted: no 502/504, no other 5xx (a 503 would be the queue deadline, which must not
  apply at this load), no socket errors or timeouts, nothing in nginx's error log about the upstream, the same
  worker processes at the end as at the start, and no large RSS growth of any worker (printed before/after).
* SIGKILL of a worker under load: wrk at 16 connections for ~10 s with client_credentials; one worker (the one
  holding the most of nginx's FastCGI connections) is killed in the middle. Asserted: the failed requests are
  at most the connections that worker held (nginx sends one request per connection, so it cannot have held
  more requests), a replacement worker is there within 1 s, and every later second of the run is all 200.
"""

from __future__ import annotations

import base64
import collections
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import create_app, create_user, env, q, wait_until
from frontlib import Pool, held_connections, rss_kib, wait_dead
from fuzzlib import (UPSTREAM_TROUBLE, Client, Generator, Req, forget_client_addresses, from_nginx, make_state,
                     problems)

pytestmark = pytest.mark.skipif(os.environ.get("FA_LONG") != "1",
                                reason="long test (minutes): runs only with FA_LONG=1, i.e. scripts/test --long")

LUA = Path(__file__).with_name("wrk-cycle.lua")
TOTAL = int(os.environ.get("FA_LONG_REQUESTS") or 1_000_000)
OVERALL_S = 45 * 60                 # bound on the million (about 6-10 minutes on a 2-core box)
CONNECTIONS = 16
UA = "fusio-auth-tests/1.0 (front-long)"
RSS_GROWTH_LIMIT_KIB = 30 * 1024


def say(capsys, text: str) -> None:
    with capsys.disabled():
        print(text, flush=True)


def cc_request(app) -> Req:
    auth = "Basic " + base64.b64encode(f"{app.key}:{app.secret}".encode()).decode()
    return Req("cc", "POST", "/authorization/token",
               [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", auth), ("User-Agent", UA)],
               b"grant_type=client_credentials&scope=authorization")


def write_request_file(path: Path, rendered: list[bytes]) -> None:
    with open(path, "wb") as f:
        for data in rendered:
            f.write(str(len(data)).encode() + b"\n" + data)


def wrk_safe(req: Req) -> bool:
    """Requests wrk can send as they are and whose answer it can parse: intact framing, no HEAD (an answer
    without body but with Content-Length), no transfer coding, Expect or Connection header."""
    if req.raw is not None or req.fresh_conn or req.half_close or not req.framing_ok or req.method == "HEAD":
        return False
    names = {(n if isinstance(n, str) else n.decode("latin-1")).lower() for n, _ in req.headers}
    return not names & {"transfer-encoding", "expect", "connection", "content-length"}


class WrkResult:
    def __init__(self):
        self.statuses: collections.Counter = collections.Counter()
        self.seconds: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
        self.errors: collections.Counter = collections.Counter()
        self.deadline_503 = 0
        self.requests = 0
        self.duration = 0.0
        self.p99_ms: list[float] = []
        self.max_ms = 0.0

    def add(self, output: str) -> None:
        summary = None
        for line in output.splitlines():
            parts = line.split()
            if line.startswith("STATUS "):
                self.statuses[int(parts[1])] += int(parts[2])
            elif line.startswith("DEADLINE503 "):
                self.deadline_503 += int(parts[1])
            elif line.startswith("SECOND "):
                self.seconds[int(parts[1])][int(parts[2])] += int(parts[3])
            elif line.startswith("SUMMARY "):
                summary = dict(kv.split("=") for kv in parts[1:])
        assert summary is not None, f"no SUMMARY line from wrk:\n{output[-2000:]}"
        self.requests += int(summary["requests"])
        self.duration += int(summary["duration_us"]) / 1e6
        for k in ("connect", "read", "write", "timeout"):
            self.errors[k] += int(summary[k])
        self.p99_ms.append(int(summary["p99_us"]) / 1000)
        self.max_ms = max(self.max_ms, int(summary["max_us"]) / 1000)


def run_wrk(url: str, request_file: Path, seconds: int, connections: int = CONNECTIONS) -> subprocess.Popen:
    return subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
                             url + "/"], env=dict(os.environ, FA_WRK_REQUESTS=str(request_file)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def worker_rss(pids) -> dict[int, float]:
    return {p: rss_kib(p) / 1024 for p in sorted(pids)}


# ============================================================================ one million requests
@pytest.fixture(scope="module")
def churn_pool():
    pool = Pool("million", workers=2, threads=4, keepalive_requests=10)
    try:
        yield pool.start()
    finally:
        pool.stop()


def test_a_million_requests_with_churning_connections(churn_pool, db, app_url, project_key, capsys):
    pool = churn_pool
    host = f"127.0.0.1:{pool.port}"
    conf = (pool.dir / "nginx" / "conf" / "nginx.conf").read_text()
    assert re.search(r"keepalive_requests 10;", conf), "the private nginx does not churn its upstream connections"

    # Fusio's operation log (fusio_log) gets a row per operation request, and the anonymous rate limit counts
    # them per IP: this test's rows from 127.0.0.1 are deleted afterwards, so later tests keep their budget.
    log_id_before = q(db, "SELECT COALESCE(MAX(id), 0) AS n FROM fusio_log")[0]["n"]
    # ---- the request list: valid client_credentials interleaved with generated ones that passed a first send
    state = make_state(db, pool.url, app_url, project_key)
    cc_app = create_app(create_user("Consumer"), "authorization,default")
    seed = int(os.environ.get("FA_FUZZ_SEED") or secrets.randbits(32))
    gen = Generator(seed, state)
    client = Client("127.0.0.1", pool.port)
    fuzzed, dropped, kinds = [], collections.Counter(), collections.Counter()
    pre_problems = []
    single_use = {c.encode() for c in list(state.refresh) + list(state.consumer_refresh) + state.codes
                  + [code for code, _, _ in state.pkce_codes]}
    for i in range(4000):
        req = gen.make(i, bcrypt_budget=0)             # budget 0: nothing that could reach a cost-12 check
        if not wrk_safe(req):
            dropped["not wrk-safe"] += 1
            continue
        data = req.render(host)
        if any(c in data for c in single_use):
            dropped["single-use credential"] += 1
            continue
        resp = client.send(req)
        state.learn(req, resp)
        for token in re.findall(rb'"refresh_token":"([^"]+)"', resp.body):
            single_use.add(token)
        if resp.status is None or resp.error or resp.headers.get("connection", "").lower() == "close":
            dropped["closes the connection"] += 1     # nginx's own refusals of bad header bytes etc.
            continue
        if from_nginx(resp, req.method) and resp.status >= 500:
            dropped[f"nginx {resp.status}"] += 1
            continue
        pre_problems += [f"#{i} {p}" for p in problems(req, resp)]
        fuzzed.append(req)
        kinds[req.kind] += 1
    client.close()
    assert not pre_problems, "bad answers while building the list:\n" + "\n".join(pre_problems[:20])
    assert len(fuzzed) >= 1500, f"only {len(fuzzed)} usable generated requests ({dict(dropped)})"
    valid = cc_request(cc_app)
    rendered = []
    for req in fuzzed:
        rendered += [valid.render(host), req.render(host)]
    request_file = pool.dir / "million-requests.bin"
    write_request_file(request_file, rendered)

    sup = pool.proc.pid
    workers_before = pool.workers_now()
    assert len(workers_before) == 2
    rss_before = worker_rss(workers_before)
    log_offset = len(pool.log_text())
    say(capsys, f"\n[long] seed {seed}: {len(rendered)} requests in the cycle ({len(fuzzed)} generated: "
                f"{dict(kinds)}; dropped {dict(dropped)}); worker RSS before: "
                + ", ".join(f"{p}: {m:.1f} MB" for p, m in rss_before.items()))

    # ---- the million, in wrk runs of at most two minutes
    result = WrkResult()
    started = time.monotonic()
    rate = 2000.0
    while result.requests < TOTAL and time.monotonic() - started < OVERALL_S:
        seconds = int(min(120, max(5, (TOTAL - result.requests) / rate + 1)))
        p = run_wrk(pool.url, request_file, seconds)
        out, _ = p.communicate(timeout=seconds + 120)
        assert p.returncode == 0, f"wrk exited {p.returncode}:\n{out[-2000:]}"
        before = result.requests
        result.add(out)
        actual = (result.requests - before) / seconds
        rate = max(100.0, actual)
        say(capsys, f"[long] {result.requests} requests, {actual:.0f}/s in the last run; statuses so far "
                    f"{dict(sorted(result.statuses.items()))}")
    elapsed = time.monotonic() - started

    workers_after = pool.workers_now()
    rss_after = worker_rss(workers_after & workers_before)
    fives = {s: n for s, n in result.statuses.items() if s >= 500}
    other_503 = result.statuses[503] - result.deadline_503
    say(capsys, f"[long] {result.requests} requests in {elapsed:.0f}s ({result.requests / elapsed:.0f}/s): "
                f"{dict(sorted(result.statuses.items()))}; 5xx {fives or 0} (502: {result.statuses[502]}, "
                f"504: {result.statuses[504]}, 503 of the queue deadline: {result.deadline_503}, other 503: "
                f"{other_503}); socket errors {dict(result.errors)}; p99 per run "
                f"{min(result.p99_ms):.1f}-{max(result.p99_ms):.1f} ms, max {result.max_ms:.0f} ms\n"
                f"[long] worker RSS before -> after: "
                + ", ".join(f"{p}: {rss_before[p]:.1f} -> {rss_after.get(p, float('nan')):.1f} MB" for p in rss_before))

    trouble = [line for line in pool.nginx_errors_since_start() if "upstream" in line or UPSTREAM_TROUBLE.search(line)]
    server_log = pool.log_text()[log_offset:].splitlines()
    exited = [line for line in server_log if "worker exited" in line]
    failed = collections.Counter(re.sub(r"^ts=\S+ level=\S+ pid=\d+ ", "", line) for line in server_log
                                 if "level=error" in line or "level=warning" in line)
    if failed:
        say(capsys, "[long] server log warnings/errors: "
                    + "; ".join(f"{n} x {line[:200]}" for line, n in failed.most_common(8)))
    forget_client_addresses(db)
    q(db, "DELETE FROM fusio_log WHERE id > %s AND ip = '127.0.0.1'", (log_id_before,))

    assert result.requests >= TOTAL, f"only {result.requests} requests in {elapsed:.0f}s (bound {OVERALL_S}s)"
    assert sum(result.statuses.values()) == result.requests, (result.statuses, result.requests)
    assert result.statuses[502] == 0 and result.statuses[504] == 0, fives
    assert other_503 == 0 and not set(fives) - {503}, \
        f"5xx answers that are not the queue deadline's: {fives}, {result.deadline_503} of the 503s with Retry-After"
    assert result.deadline_503 == 0, f"{result.deadline_503} requests waited past the queue deadline at this load"
    assert not +result.errors, f"wrk socket errors: {dict(result.errors)}"
    assert result.statuses[200] >= result.requests // 2 * 0.9, "the valid half was not answered 200"
    assert not trouble, "nginx error log:\n" + "\n".join(trouble[:20])
    assert not exited, "\n".join(exited)
    assert workers_after == workers_before, f"workers changed: {sorted(workers_before)} -> {sorted(workers_after)}"
    grown = {p: rss_after[p] - rss_before[p] for p in rss_after if rss_after[p] - rss_before[p] > RSS_GROWTH_LIMIT_KIB / 1024}
    assert not grown, f"worker RSS grew by more than {RSS_GROWTH_LIMIT_KIB // 1024} MB: {grown}"
    assert pool.proc.poll() is None and sup == pool.proc.pid


# ============================================================================ SIGKILL under load
@pytest.fixture
def kill_pool():
    pool = Pool("killload", workers=2, threads=4)
    try:
        yield pool.start()
    finally:
        pool.stop()


def test_worker_sigkill_under_load(kill_pool, capsys):
    pool = kill_pool
    sup = pool.proc.pid
    host = f"127.0.0.1:{pool.port}"
    app = create_app(create_user("Consumer"), "authorization,default")
    request_file = pool.dir / "kill-requests.bin"
    write_request_file(request_file, [cc_request(app).render(host)])
    before = pool.workers_now()
    assert len(before) == 2
    db = __import__("conftest").db_connect()
    issued = lambda: q(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE app_id = %s", (app.id,))[0]["n"]

    wrk_started = time.monotonic()
    wrk = run_wrk(pool.url, request_file, 12)
    try:
        # the middle of the run: wrk's load established (tokens being issued) and a third of it past
        wait_until(lambda: time.monotonic() - wrk_started >= 4 and issued() >= 1000, 30, interval=0.1,
                   what="wrk's load to be established")
        held = {w: held_connections(w, pool.fcgi_address) for w in before}
        victim = max(held, key=held.get)
        kill_wall, t_kill = time.time(), time.monotonic()
        os.kill(victim, signal.SIGKILL)
        t_dead = wait_dead(victim, 5)
        replacement = wait_until(lambda: (k := pool.workers_now()) and len(k) == 2 and victim not in k and (k - before),
                                 1.0, interval=0.005, what="a replacement worker within 1 s of the kill")
        t_replaced = time.monotonic()
        out, _ = wrk.communicate(timeout=60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
        db.close()
    assert wrk.returncode == 0, out[-2000:]
    result = WrkResult()
    result.add(out)
    failures = result.requests - result.statuses[200] + sum(result.errors.values())
    kill_second = int(kill_wall)
    later = {s: c for s, c in result.seconds.items() if s > kill_second + 1}
    last = max(result.seconds)
    say(capsys, f"\n[long] SIGKILL of worker {victim} (held {held[victim]} of nginx's FastCGI connections; "
                f"the other held {sum(held.values()) - held[victim]}); wrk at {CONNECTIONS} connections for 12 s: "
                f"{result.requests} requests {dict(result.statuses)}, socket errors {dict(result.errors)}, "
                f"{failures} failed; died {1000 * (t_dead - t_kill):.1f} ms after the signal, replacement "
                f"{sorted(replacement - before)} {1000 * (t_replaced - t_kill):.0f} ms after it; per second: "
                + ", ".join(f"{s - kill_second:+d}s {dict(c)}" for s, c in sorted(result.seconds.items())))

    assert held[victim] >= 1, f"the victim held no FastCGI connection: {held}"
    # nginx sends one request per FastCGI connection, so the victim held at most held[victim] requests
    assert failures <= held[victim] <= CONNECTIONS, f"{failures} failed, the killed worker held {held[victim]} connections"
    bad_statuses = {s for s in result.statuses if s != 200}
    assert bad_statuses <= {502}, f"failures other than nginx's 502 for a lost request: {dict(result.statuses)}"
    # failures only in the second of the kill (and the next, as a second boundary may fall in between)
    late = {s - kill_second: dict(c) for s, c in later.items() if set(c) != {200}}
    assert not late, f"non-200 answers later than a second after the kill: {late}"
    full_seconds_after = [s for s in range(kill_second + 2, last) if s in result.seconds]
    assert len(full_seconds_after) >= 2 and all(result.seconds[s][200] > 0 for s in full_seconds_after), \
        f"traffic did not continue after the kill: {dict(result.seconds)}"
    wait_until(lambda: any(f'pid={p} msg="worker ready"' in pool.log_text() for p in replacement - before), 15,
               what="the replacement's 'worker ready'")
    s = requests.Session()
    for _ in range(50):
        r = s.post(pool.token_url, data={"grant_type": "client_credentials"}, auth=(app.key, app.secret),
                   headers={"User-Agent": UA}, timeout=20)
        assert r.status_code == 200, r.text
