"""Helpers of test_systemd.py and test_reload.py. Not a test module.

`ActivatedServer` plays systemd for `fusio-auth serve`: it binds the listening socket itself, hands it over as
fd 3 with LISTEN_FDS=1 and LISTEN_PID=<the server's pid> (a one-line sh wrapper learns its own pid and execs
the server, so the pid is right), and reads the sd_notify datagrams from a real AF_UNIX SOCK_DGRAM socket
named in NOTIFY_SOCKET. nginx runs in front, as for frontlib.Pool. systemd itself does not run here.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import cli_env, common_sh, env, free_port, post_token
from frontlib import PrivatePoolProcess


# fd 3 is SD_LISTEN_FDS_START; the wrapper moves the socket there and names its own pid, which exec keeps.
# bash, not sh: dash takes single-digit descriptors only, and the socket's number here is whatever was free.
LAUNCHER = 'eval "exec 3<&$FA_SOCKET_FD $FA_SOCKET_FD<&-"; export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"'


class ActivatedServer(PrivatePoolProcess):
    def __init__(self, name: str, workers: int = 2, threads: int = 2, env_file: str | None = None):
        self.dir = Path(env("FA_RUN_DIR")) / f"{name}-{os.getpid()}"
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.socket_path = str(self.dir / "fa.sock")
        assert len(self.socket_path) < 107, self.socket_path
        self.workers, self.threads = workers, threads
        self.env_file = env_file or env("FA_ENV_FILE")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.dir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.nginx_started = False
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify_path = str(self.dir / "notify.sock")
        Path(self.notify_path).unlink(missing_ok=True)
        self.notify.bind(self.notify_path)

    @property
    def token_url(self) -> str:
        return self.url + "/authorization/token"

    def start(self) -> "ActivatedServer":
        Path(self.socket_path).unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        os.chmod(self.socket_path, 0o666)      # nginx's workers (www-data) connect, as SocketMode= would allow
        listener.listen(128)
        common_sh("nginx_start", str(self.dir / "nginx"), str(self.port), self.socket_path)
        self.nginx_started = True
        server_env = cli_env()
        server_env.update({"NOTIFY_SOCKET": self.notify_path, "FA_SOCKET_FD": str(listener.fileno())})
        argv = ["bash", "-c", LAUNCHER, "launcher", env("FA_BIN"), "serve", "--env", self.env_file,
                "--workers", str(self.workers), "--threads", str(self.threads)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=server_env,
                                         pass_fds=(listener.fileno(),), start_new_session=True)
        listener.close()                       # the server holds it now, as systemd would keep its copy
        (self.dir / "server.pid").write_text(f"{self.proc.pid}\n")
        return self

    def next_notification(self, timeout: float = 30) -> dict[str, str]:
        """The next sd_notify datagram as KEY=VALUE pairs."""
        self.notify.settimeout(timeout)
        try:
            data = self.notify.recv(4096)
        except socket.timeout:
            pytest.fail(f"no sd_notify datagram within {timeout}s; log:\n{self.log_tail()}", pytrace=False)
        return dict(line.split("=", 1) for line in data.decode().split("\n") if line)

    def stop(self) -> None:
        super().stop()
        self.notify.close()


def issue_token(url: str, app, session: requests.Session | None = None) -> requests.Response:
    return post_token(url, {"grant_type": "client_credentials"}, auth=(app.key, app.secret), session=session)


def process_environment(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        entries = f.read().split(b"\0")
    return dict(e.decode(errors="replace").split("=", 1) for e in entries if b"=" in e)
