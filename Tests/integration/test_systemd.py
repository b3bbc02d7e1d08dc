"""systemd integration without systemd: socket activation (LISTEN_FDS/LISTEN_PID, socket at fd 3) and the
sd_notify protocol (READY=1 once every worker is ready, RELOADING=1 + MONOTONIC_USEC … READY=1 around SIGHUP,
STOPPING=1 at SIGTERM), read from a real datagram socket. The launcher is systemdlib.ActivatedServer."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
import requests

from conftest import cli_env, env, wait_until
from systemdlib import ActivatedServer, issue_token, process_environment


@pytest.fixture
def activated():
    server = ActivatedServer("sd", workers=2, threads=2)
    yield server.start()
    server.stop()


def test_socket_activation_notifies_ready_after_every_worker_and_serves_through_nginx(activated, consumer_app):
    message = activated.next_notification()
    assert message.get("READY") == "1", message
    # READY=1 means the pool is up: both workers said so before the datagram went out.
    assert len(activated.ready_pids()) == 2, activated.log_tail()
    assert "systemd fd 3" in activated.log_text()
    assert requests.get(activated.url + "/health", timeout=5).status_code == 200
    r = issue_token(activated.token_url, consumer_app)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"


def test_workers_do_not_inherit_the_systemd_variables(activated):
    activated.next_notification()
    workers = activated.workers_now()
    assert len(workers) == 2
    # /proc/PID/environ of the supervisor still shows what it was started with; its workers show what it passed on.
    for name in ("LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET"):
        assert name in process_environment(activated.proc.pid), name
        for pid in workers:
            assert name not in process_environment(pid), (name, pid)


def test_sighup_notifies_reloading_then_ready_and_sigterm_notifies_stopping(activated, consumer_app):
    assert activated.next_notification().get("READY") == "1"
    before = activated.workers_now()
    os.kill(activated.proc.pid, signal.SIGHUP)
    reloading = activated.next_notification()
    assert reloading.get("RELOADING") == "1", reloading
    assert int(reloading["MONOTONIC_USEC"]) > 0
    assert activated.next_notification().get("READY") == "1"
    # READY=1 comes once the new workers are ready; the last old one may still be finishing what it held.
    after = wait_until(lambda: len(w := activated.workers_now()) == 2 and w, 15, what="old workers gone")
    assert not (after & before), (before, after)
    assert issue_token(activated.token_url, consumer_app).status_code == 200

    os.kill(activated.proc.pid, signal.SIGTERM)
    assert activated.next_notification().get("STOPPING") == "1"
    assert activated.proc.wait(20) == 0


def test_listen_pid_of_another_process_is_not_taken_as_ours():
    # LISTEN_PID names some other process: the variables are not for us, so serve looks at fd 0 (here not a
    # socket) and says what it needs.
    e = cli_env()
    e.update({"LISTEN_FDS": "1", "LISTEN_PID": "1"})
    p = subprocess.run([env("FA_BIN"), "serve", "--env", env("FA_ENV_FILE"), "--workers", "1"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, env=e, timeout=30)
    assert p.returncode != 0
    assert "no socket from systemd (LISTEN_FDS)" in p.stderr, p.stderr


def test_more_than_one_activated_socket_is_a_clear_error():
    e = cli_env()
    p = subprocess.run(["sh", "-c", 'export LISTEN_FDS=2 LISTEN_PID=$$; exec "$@"', "launcher", env("FA_BIN"), "serve",
                        "--env", env("FA_ENV_FILE"), "--workers", "1"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, env=e, timeout=30)
    assert p.returncode != 0
    assert "LISTEN_FDS=2" in p.stderr and "exactly one socket" in p.stderr, p.stderr
