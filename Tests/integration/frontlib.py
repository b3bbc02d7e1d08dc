"""Helpers of the FastCGI front tests (test_front.py, test_front_long.py). Not a test module.

`Pool` is a private `fusio-auth serve` (its own socket or TCP port, its own worker/thread counts and
environment, e.g. FUSIO_AUTH_QUEUE_TIMEOUT) behind a private nginx, both under FA_RUN_DIR/<name>-<pid>, against
the same database as the main pool. The pid files are named server.pid / nginx.pid, so scripts/test's
stop_all_under finds whatever a crashed run left behind. It follows test_pool.Instance.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import stop_private_pool, children_of, cli_env, env, free_port, pid_alive, wait_until

READY_RE = re.compile(r'pid=(\d+) msg="worker ready"')


class PrivatePoolProcess:
    """What every privately started pool shares: its supervisor process (`proc`), its log (`log_path`), its run
    directory (`dir`) and whether it started its own nginx. Subclasses say how the pool is started."""
    proc: subprocess.Popen
    log_path: Path
    dir: Path
    nginx_started: bool

    def workers_now(self) -> set[int]:
        return children_of(self.proc.pid)

    def ready_pids(self) -> list[int]:
        """Worker pids in the order their 'worker ready' lines appear in the log."""
        return [int(m) for m in READY_RE.findall(self.log_text())]

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self) -> str:
        return self.log_text()[-2000:]

    def stop(self) -> None:
        stop_private_pool(self.proc, self.dir, self.nginx_started)
        self.nginx_started = False


class Pool(PrivatePoolProcess):
    def __init__(self, name: str, workers: int = 1, threads: int = 2, password_threads: int | None = None,
                 tcp: bool = False, extra_env: dict | None = None, keepalive_requests: int | None = None,
                 env_file: str | None = None, metrics: bool = False):
        self.dir = Path(env("FA_RUN_DIR")) / f"{name}-{os.getpid()}"
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.workers, self.threads, self.password_threads = workers, threads, password_threads
        if tcp:
            self.listen = f"127.0.0.1:{free_port()}"
            self.upstream = self.listen             # nginx_start takes HOST:PORT as its SOCKET
            self.fcgi_address = self.listen
        else:
            sock = str(self.dir / "fa.sock")
            assert len(sock) < 107, sock
            self.listen, self.upstream, self.fcgi_address = f"unix:{sock}", sock, sock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = dict(extra_env or {})
        self.env_file = env_file or env("FA_ENV_FILE")      # another database: a copy with its own APP_CONNECTION
        self.keepalive_requests = keepalive_requests
        # `serve --metrics` on a port of its own, apart from nginx's
        self.metrics_url = f"http://127.0.0.1:{free_port()}/metrics" if metrics else None
        self.proc: subprocess.Popen | None = None
        self.log_path = self.dir / "server.log"
        self.log = open(self.log_path, "ab")
        self.nginx_started = False
        self.nginx_log_offset = 0

    @property
    def token_url(self) -> str:
        return self.url + "/authorization/token"

    @property
    def nginx_error_log(self) -> Path:
        return self.dir / "nginx" / "logs" / "error.log"

    def start(self, timeout: float = 30) -> "Pool":
        nginx_env = dict(os.environ)
        if self.keepalive_requests is not None:
            nginx_env["NGINX_KEEPALIVE_REQUESTS"] = str(self.keepalive_requests)
        script = Path(env("FA_ROOT")) / "scripts" / "lib" / "common.sh"
        p = subprocess.run(["bash", str(script), "nginx_start", str(self.dir / "nginx"), str(self.port), self.upstream],
                           capture_output=True, text=True, timeout=60, env=nginx_env)
        if p.returncode != 0:
            pytest.fail(f"nginx_start failed:\n{p.stdout}\n{p.stderr}", pytrace=False)
        self.nginx_started = True
        argv = [env("FA_BIN"), "serve", "--env", self.env_file, "--listen", self.listen,
                "--workers", str(self.workers), "--threads", str(self.threads)]
        if self.password_threads is not None:
            argv += ["--password-threads", str(self.password_threads)]
        if self.metrics_url:
            argv += ["--metrics", self.metrics_url.removeprefix("http://").removesuffix("/metrics")]
        server_env = cli_env()
        server_env.update(self.extra_env)     # FUSIO_AUTH_QUEUE_TIMEOUT etc.: the process environment wins
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=server_env,
                                     start_new_session=True)
        (self.dir / "server.pid").write_text(f"{self.proc.pid}\n")
        self.wait_healthy(timeout)
        wait_until(lambda: len(self.ready_pids()) >= self.workers, timeout, what=f"{self.workers} 'worker ready' lines")
        # nginx's probes before the server listened left connect() errors; later checks read past them
        self.nginx_log_offset = self.nginx_error_log.stat().st_size if self.nginx_error_log.exists() else 0
        return self

    def nginx_errors_since_start(self) -> list[str]:
        """Lines of the private nginx's error log written after start() returned."""
        try:
            with open(self.nginx_error_log, "rb") as f:
                f.seek(self.nginx_log_offset)
                return f.read().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return []

    def wait_healthy(self, timeout: float = 30) -> None:
        def ok():
            assert self.proc.poll() is None, f"server exited with {self.proc.returncode}: {self.log_tail()}"
            try:
                return requests.get(self.url + "/health", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_until(ok, timeout, interval=0.1, what=f"{self.url}/health through the private nginx")

    def stop(self) -> None:
        super().stop()
        self.log.close()

    def __enter__(self) -> "Pool":
        """`with Pool(...) as pool:` starts it and stops it afterwards, also when starting failed half-way."""
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info) -> None:
        self.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def socket_fds(pid: int) -> int:
    """Open socket descriptors of a process."""
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


def soft_nofile_limit(pid: int) -> int:
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError(f"no open-files limit for {pid}")


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def descriptors_released(pid: int) -> bool:
    """Whether every thread of `pid` has exited, so its descriptors are closed. The main thread of a threaded
    process turns zombie while its other threads may still be exiting, and the descriptor table they share is closed
    only by the last of them; an exited thread leaves /proc/PID/task, the zombie main thread stays."""
    try:
        return not pid_alive(pid) and os.listdir(f"/proc/{pid}/task") == [str(pid)]
    except FileNotFoundError:
        return True


def wait_dead(pid: int, timeout: float) -> float:
    """Polls until all threads of `pid` have exited (its descriptors are closed by then); returns the monotonic
    time."""
    deadline = time.monotonic() + timeout
    while not descriptors_released(pid):
        assert time.monotonic() < deadline, f"{pid} still alive {timeout}s after SIGKILL"
        time.sleep(0.0005)
    return time.monotonic()


def held_connections(pid: int, socket_path: str) -> int:
    """Connections accepted on the unix socket `socket_path` that process `pid` holds open: its descriptors whose
    inode /proc/net/unix lists as connected (St 03) with that path (accepted sockets carry the listener's path)."""
    accepted = set()
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            parts = line.split()
            if len(parts) >= 8 and parts[7] == socket_path and parts[5] == "03":
                accepted.add(parts[6])
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in accepted:
            n += 1
    return n
