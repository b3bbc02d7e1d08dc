"""The worker pool: a killed worker loses only the requests it held and is replaced at once while the others
keep succeeding, SIGTERM drains in-flight requests and exits 0, and the server also runs under spawn-fcgi (socket on fd 0).

The drain and spawn-fcgi tests start their OWN server and nginx (sockets and prefixes under
FA_RUN_DIR, pid files named server.pid / nginx.pid so that scripts/test stops leftovers) and stop
them again; the main server of scripts/test is only touched by the worker-kill test.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import (TOKEN_PATH, stop_private_pool, children_of, cli_env, common_sh, create_user, decode_jwt, env,
                      free_port, pid_alive, post_token, wait_until)
from frontlib import held_connections, wait_dead


def supervisor_pid() -> int:
    pid = int(Path(env("FA_SERVER_PIDFILE")).read_text().strip())
    assert pid_alive(pid), f"supervisor {pid} from FA_SERVER_PIDFILE is not running"
    return pid


# ----------------------------------------------------------------------------- killed worker
def test_killed_worker_loses_only_the_requests_it_held(token_url, consumer_app):
    """SIGKILL of one worker under concurrent load. Each worker's event loop holds its own share of nginx's
    kept connections (idle or busy). The kill loses the requests that worker held at that instant: nginx had
    sent them and does not retry a POST it already sent (non-idempotent), so they are answered 502. Its idle
    kept connections are closed by the kernel, and nginx's keepalive cache notices and drops them, so no request
    sent after the worker's death fails. The supervisor starts a replacement at once."""
    sup = supervisor_pid()
    workers = int(os.environ.get("FA_WORKERS", "2"))
    before = wait_until(lambda: (k := children_of(sup)) and len(k) == workers and k, 10,
                        what=f"{workers} worker processes of supervisor {sup}")
    log_offset = Path(env("FA_SERVER_LOG")).stat().st_size
    clients = 4          # so that both workers hold kept connections and requests at the kill
    lock = threading.Lock()
    results: list[tuple[float, float, int | str]] = []     # (start, end, status)
    stop = threading.Event()

    def client():
        with requests.Session() as s:
            while not stop.is_set():
                t0 = time.monotonic()
                try:
                    st = post_token(token_url, data={"grant_type": "client_credentials", "scope": "authorization"},
                                    auth=(consumer_app.key, consumer_app.secret), session=s, timeout=20).status_code
                except requests.RequestException as e:
                    st = type(e).__name__
                with lock:
                    results.append((t0, time.monotonic(), st))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(results) >= 100, 60, what="100 requests before the kill")
        # the worker holding the most of nginx's kept connections (idle or busy) at this moment
        held = {w: held_connections(w, env("FA_SOCKET")) for w in before}
        victim = max(held, key=held.get)
        assert held[victim] >= 1, f"no worker holds a FastCGI connection of nginx: {held}"
        t_kill = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        t_dead = wait_dead(victim, 5)
        # the replacement is spawned at once (the supervisor waits for SIGCHLD)
        replacement = wait_until(lambda: (k := children_of(sup)) and len(k) == workers and victim not in k
                                 and (k - before), 1.0, interval=0.01, what="a replacement worker within 1 s")
        wait_until(lambda: sum(1 for t0, _, _ in list(results) if t0 > t_dead) >= 200, 60,
                   what="200 requests after the kill")
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)

    failures = [(round(t0 - t_kill, 4), round(t1 - t_kill, 4), st) for t0, t1, st in results if st != 200]
    in_flight = [(t0, t1) for t0, t1, _ in results if t0 < t_dead and t1 > t_kill]
    print(f"\n[pool] worker {victim} killed holding {held[victim]} kept connections, {len(in_flight)} requests in flight "
          f"(died {1000 * (t_dead - t_kill):.1f} ms after the signal); {len(failures)} failed: {failures}")
    # only nginx's 502 for a request the dead worker held: no timeout, no other error
    assert all(st == 502 for _, _, st in failures), f"failed requests (start, end relative to the kill, status): {failures}"
    # each failed request was in flight while the worker died (started before its death was seen, ended after
    # the signal), so there are at most as many as were in flight at one instant: one per client
    assert all(t0 < t_dead - t_kill and t1 > 0 for t0, t1, _ in failures), \
        f"a request that was not in flight at the kill failed: {failures}"
    assert len(failures) <= clients
    # every request sent after the death succeeded: no stale kept connection was used
    late = [(round(t0 - t_dead, 4), st) for t0, _, st in results if t0 > t_dead and st != 200]
    assert not late, f"requests sent after the worker's death failed: {late}"

    assert pid_alive(sup)
    (new_pid,) = replacement - before
    wait_until(lambda: re.search(rf'pid={new_pid} msg="worker ready"',
                                 Path(env("FA_SERVER_LOG")).read_text(errors="replace")[log_offset:]),
               15, what=f"'worker ready' of the replacement {new_pid}")
    # the pool as a whole (replacement included) serves on
    s = requests.Session()
    for _ in range(20):
        r = post_token(token_url, data={"grant_type": "client_credentials", "scope": "authorization"},
                       auth=(consumer_app.key, consumer_app.secret), session=s)
        assert r.status_code == 200, r.text


# ----------------------------------------------------------------------------- private instances
class Instance:
    """A second fusio-auth (own socket) behind a second nginx, both under FA_RUN_DIR/<name>."""

    def __init__(self, name: str):
        self.dir = Path(env("FA_RUN_DIR")) / f"{name}-{os.getpid()}"
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.sock = str(self.dir / "fa.sock")
        assert len(self.sock) < 107, self.sock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = open(self.dir / "server.log", "ab")
        self.nginx_started = False

    def start_nginx(self):
        common_sh("nginx_start", str(self.dir / "nginx"), str(self.port), self.sock)
        self.nginx_started = True

    def start(self, argv: list[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     env=cli_env(), start_new_session=True)
        (self.dir / "server.pid").write_text(f"{self.proc.pid}\n")

    def wait_healthy(self, timeout: float = 30):
        def ok():
            assert self.proc.poll() is None, f"server exited with {self.proc.returncode}: {self.log_tail()}"
            try:
                return requests.get(self.url + "/health", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_until(ok, timeout, interval=0.1, what=f"{self.url}/health through the second nginx")

    def log_tail(self) -> str:
        try:
            return (self.dir / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self):
        stop_private_pool(self.proc, self.dir, self.nginx_started)
        self.log.close()


@pytest.fixture
def instance(request):
    inst = Instance(request.node.name.split("[")[0].replace("test_", "")[:12])
    yield inst
    inst.stop()


# ----------------------------------------------------------------------------- SIGTERM drain
def test_sigterm_drains_in_flight_requests(instance):
    # bcrypt cost 12 (~0.3 s of CPU per check on this kind of machine): 8 of them keep the single
    # worker busy long enough for SIGTERM to arrive while most are still in flight. They are client_credentials
    # with the user's name and password, handed over to the password lane: 8 password threads, so none waits
    # in the queue past the 2 s deadline (a 503 would be the deadline's doing, not the drain's).
    user = create_user("Consumer")
    instance.start_nginx()
    instance.start([env("FA_BIN"), "serve", "--env", env("FA_ENV_FILE"), "--listen", f"unix:{instance.sock}",
                    "--workers", "1", "--threads", "8", "--password-threads", "8"])
    instance.wait_healthy()
    sup = instance.proc.pid
    workers = wait_until(lambda: children_of(sup), 10, what="the worker process")

    url = instance.url + TOKEN_PATH

    def one(_):
        r = post_token(url, data={"grant_type": "client_credentials"}, auth=(user.name, user.password),
                       timeout=30)
        return r.status_code, r.text[:300]

    with cf.ThreadPoolExecutor(8) as ex:
        futures = [ex.submit(one, i) for i in range(8)]
        done, pending = cf.wait(futures, timeout=30, return_when=cf.FIRST_COMPLETED)
        assert done, "no response within 30 s"
        t_term = time.monotonic()
        os.kill(sup, signal.SIGTERM)
        in_flight = len([f for f in futures if not f.done()])
        results = [f.result(timeout=30) for f in futures]

    assert all(st == 200 for st, _ in results), f"responses: {results}"
    assert in_flight >= 1, "all 8 requests finished before SIGTERM: the drain was not exercised"
    try:
        rc = instance.proc.wait(timeout=max(0.1, 12 - (time.monotonic() - t_term)))
    except subprocess.TimeoutExpired:
        pytest.fail(f"supervisor did not exit within 12 s of SIGTERM: {instance.log_tail()}")
    assert rc == 0, f"supervisor exit code {rc}: {instance.log_tail()}"

    # no worker outlives the supervisor (bounded wait only for the kernel to reap what just exited)
    wait_until(lambda: not any(pid_alive(p) for p in workers), 2, what=f"workers {workers} to be gone")

    # nothing answers on that socket any more
    try:
        r = post_token(url, data={"grant_type": "client_credentials"}, auth=(user.name, user.password), timeout=10)
        assert r.status_code == 502, f"after shutdown: HTTP {r.status_code} {r.text[:200]}"
    except requests.ConnectionError:
        pass


# ----------------------------------------------------------------------------- spawn-fcgi
def test_spawn_fcgi_mode(instance, consumer_app, project_key):
    instance.start_nginx()
    # -n: no fork, spawn-fcgi execs the server with the listening socket on fd 0 (no --listen)
    instance.start(["spawn-fcgi", "-n", "-s", instance.sock, "-M", "0660", "-G", "www-data", "--",
                    env("FA_BIN"), "serve", "--env", env("FA_ENV_FILE"), "--workers", "1", "--threads", "2"])
    instance.wait_healthy()
    r = post_token(instance.url + TOKEN_PATH, data={"grant_type": "client_credentials", "scope": "authorization"},
                   auth=(consumer_app.key, consumer_app.secret))
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "authorization"
    assert decode_jwt(r.json()["access_token"], project_key).signature_ok
    sup = instance.proc.pid
    os.kill(sup, signal.SIGTERM)
    assert instance.proc.wait(timeout=12) == 0
