"""scripts/demo as a new user runs it, on a port of their choosing (issue 12 item 5): every line it prints points
at that port — the authorize URL's redirect_uri included — and the URLs work. Runs the real script (its own
MariaDB, nginx and pool under <run base>/demo) with the binary already built, and stops it with SIGINT as a user
would press Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.parse

import requests

from conftest import env, free_port, pid_alive


def test_demo_on_another_port_prints_urls_for_that_port():
    port = free_port()
    script = os.path.join(env("FA_ROOT"), "scripts", "demo")
    environment = dict(os.environ, DEMO_PORT=str(port), FA_SKIP_BUILD="1", FA_BIN=env("FA_BIN"))
    # SIGINT back to its default first: a shell started in the background (as CI runs us) inherits it ignored, and
    # bash cannot trap a signal ignored at entry, so Ctrl-C would never reach the demo's clean-up.
    demo = subprocess.Popen(["bash", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=environment, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 180
        assert demo.stdout is not None
        for line in demo.stdout:   # bounded by the deadline check and by the script's own start-up limits
            lines.append(line)
            if "Press Ctrl-C" in line or time.monotonic() > deadline:
                break
        output = "".join(lines)
        assert "Press Ctrl-C" in output, f"the demo did not come up:\n{output[-3000:]}"
        urls = re.findall(r"https?://[^\s'\"]+", output)
        # The metrics listener has a port of its own, apart from the web server's.
        metrics = [u for u in urls if urllib.parse.urlsplit(u).path == "/metrics"]
        assert len(metrics) == 1, f"the demo prints one metrics URL: {metrics}"
        urls = [u for u in urls if u not in metrics]
        ports = {urllib.parse.urlsplit(u).port for u in urls if urllib.parse.urlsplit(u).hostname == "127.0.0.1"}
        assert ports == {port}, f"URLs with other ports than {port}: {sorted(u for u in urls if f':{port}' not in u)}"
        authorize = next(u for u in urls if "/authorization/authorize?" in u)
        redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)["redirect_uri"][0]
        assert urllib.parse.urlsplit(redirect).port == port, redirect
        page = requests.get(authorize, timeout=10)
        assert page.status_code == 200 and "<form" in page.text, f"consent page: HTTP {page.status_code} {page.text[:300]}"
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        scrape = requests.get(metrics[0], timeout=10)
        assert scrape.status_code == 200 and "fusio_auth_worker_processes 1" in scrape.text, scrape.text[:500]
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=10)
    assert not pid_alive(demo.pid)
    # Everything the demo started is gone: its services' pid files are removed with their processes. (Checked by
    # pid file, not by port: on a shared machine another program may take the freed port at once.)
    match = re.search(r"server log: (\S+)/server/server\.log", "".join(lines))
    assert match, "the demo did not say where its run directory is"
    run = match.group(1)
    for pid_file in ("server/server.pid", "nginx/nginx.pid", "db/mysqld.pid"):
        path = os.path.join(run, pid_file)
        if os.path.exists(path):
            pid = int(open(path).read().strip() or 0)
            assert not pid_alive(pid), f"the demo left {pid_file} (pid {pid}) running after Ctrl-C"
