"""The worker pool: a killed worker is replaced while requests keep succeeding, SIGTERM drains
in-flight requests and exits 0, and the server also runs under spawn-fcgi (socket on fd 0).

The drain and spawn-fcgi tests start their OWN server and nginx (sockets and prefixes under
FA_RUN_DIR, pid files named server.pid / nginx.pid so that scripts/test stops leftovers) and stop
them again; the main server of scripts/test is only touched by the worker-kill test.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import (TOKEN_PATH, children_of, cli_env, common_sh, create_user, decode_jwt, env,
                      free_port, pid_alive, post_token, terminate, wait_until)


def supervisor_pid() -> int:
    pid = int(Path(env("FA_SERVER_PIDFILE")).read_text().strip())
    assert pid_alive(pid), f"supervisor {pid} from FA_SERVER_PIDFILE is not running"
    return pid


# ----------------------------------------------------------------------------- killed worker
def test_killed_worker_is_replaced_while_requests_succeed(token_url, consumer_app):
    sup = supervisor_pid()
    workers = int(os.environ.get("FA_WORKERS", "2"))
    before = wait_until(lambda: (k := children_of(sup)) and len(k) == workers and k, 10,
                        what=f"{workers} worker processes of supervisor {sup}")
    victim = min(before)
    total, kill_after = 200, 50
    kill_now = threading.Event()
    killed = threading.Event()

    def killer():
        kill_now.wait(60)
        os.kill(victim, signal.SIGKILL)
        killed.set()

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    statuses: list[int | str] = []
    s = requests.Session()
    for i in range(total):
        if i == kill_after:
            kill_now.set()   # the kill races with the requests that follow: that is the point
        try:
            r = post_token(token_url, data={"grant_type": "client_credentials", "scope": "authorization"},
                           auth=(consumer_app.key, consumer_app.secret), session=s, timeout=20)
            statuses.append(r.status_code)
        except requests.RequestException as e:
            statuses.append(type(e).__name__)
    t.join(5)
    assert killed.is_set(), "the worker was not killed"

    # The kill can destroy at most the one request that the victim was serving at that instant
    # (requests are sequential, so at most one is in flight): nginx cannot retry a POST that was
    # already sent, and answers 502 for it. Idle kept-alive connections to the dead worker are
    # noticed and dropped by nginx's keepalive cache, and new connections go to the living
    # worker(s) or to the replacement. So: all 200, or exactly one 502.
    bad = [(i, st) for i, st in enumerate(statuses) if st != 200]
    assert len(bad) == 0 or (len(bad) == 1 and bad[0][1] == 502), f"failed requests (index, status): {bad}"
    assert not pid_alive(victim)

    def replaced():
        k = children_of(sup)
        return len(k) == workers and victim not in k and (k - before) and k

    after = wait_until(replaced, 15, what="a replacement worker")
    assert len(after - before) == 1, f"before {before}, after {after}"
    assert pid_alive(sup)
    # the replacement serves requests too (and so does the pool as a whole)
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

    def start_nginx(self, max_conns: int = 8):
        common_sh("nginx_start", str(self.dir / "nginx"), str(self.port), self.sock, str(max_conns))
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
        if self.proc is not None and self.proc.poll() is None:
            terminate(self.proc.pid)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        (self.dir / "server.pid").unlink(missing_ok=True)
        if self.nginx_started:
            common_sh("nginx_stop", str(self.dir / "nginx"))
        self.log.close()


@pytest.fixture
def instance(request):
    inst = Instance(request.node.name.split("[")[0].replace("test_", "")[:12])
    yield inst
    inst.stop()


# ----------------------------------------------------------------------------- SIGTERM drain
def test_sigterm_drains_in_flight_requests(instance):
    # bcrypt cost 12 (~0.2 s of CPU per check on this kind of machine): 8 of them keep the single
    # worker busy long enough for SIGTERM to arrive while most are still in flight
    user = create_user("Consumer")
    instance.start_nginx(max_conns=8)
    instance.start([env("FA_BIN"), "serve", "--env", env("FA_ENV_FILE"), "--listen", f"unix:{instance.sock}",
                    "--workers", "1", "--threads", "8"])
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
    instance.start_nginx(max_conns=8)
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
