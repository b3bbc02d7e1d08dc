"""HTTP fuzzing through nginx (issue 5, "Bad input, fuzzed").

At least 20,000 generated and mutated requests (200,000 with FA_LONG=1, or FA_FUZZ_REQUESTS) from several
threads against every endpoint and some that do not exist: valid requests of every grant and endpoint, mutated
(missing, duplicated, emptied, list-form, over-long parameters; flipped, inserted, deleted, repeated bytes;
truncated bodies), wrong or missing content types, invalid UTF-8 and JSON, deeply nested JSON, NUL bytes, huge
and many headers, broken Basic and Bearer credentials, broken percent escapes, odd methods, bodies over the
64 KiB limit, and broken HTTP framing. The seed is printed (FA_FUZZ_SEED repeats a run).

Every answer must be: not 5xx; a 4xx from fusio-auth with a JSON error body (the consent page may answer HTML);
or one of nginx's own answers (its HTML error page, or the JSON 413 of @fusio_auth_413) for what nginx refuses
before the request reaches the pool. Afterwards the pool answers a valid client_credentials request, the
supervisor has the same workers as before, the server log has no "worker exited" and nginx's error log no sign
of a dropped upstream connection. A failing request is minimised (headers dropped, body shrunk) and printed.

Password checks against a cost-12 hash (unknown logins run the dummy hash) cost ~0.25 s of CPU each, so the
fuzz user has a cost-4 hash and requests that could reach a cost-12 check are capped (fuzzlib.may_run_bcrypt).
Client addresses sent in X-Forwarded-For (trusted from nginx) are documentation/private addresses whose
firewall rows are deleted afterwards; 127.0.0.1 itself is never counted by the firewall (FUSIO_FIREWALL_IGNOREIP).
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import children_of, env
from fuzzlib import (THREADS, UPSTREAM_TROUBLE, Req, Resp, format_stats, forget_client_addresses, make_state,
                     minimise, nginx_error_log, problems, read_from, run_fuzz, size_of, supervisor_pid)

LONG = os.environ.get("FA_LONG") == "1"
TOTAL = int(os.environ.get("FA_FUZZ_REQUESTS") or (200_000 if LONG else 20_000))
DEADLINE_S = float(os.environ.get("FA_FUZZ_DEADLINE") or (3600 if LONG else 300))


def say(capsys, text: str) -> None:
    """Print past pytest's capture, so the counts show in scripts/test's output."""
    with capsys.disabled():
        print(text, flush=True)


@pytest.fixture(scope="module")
def fuzz_state(db, base_url, app_url, project_key):
    state = make_state(db, base_url, app_url, project_key)
    yield state
    forget_client_addresses(db)


def test_fuzz_http(fuzz_state, base_url, token_url, capsys):
    seed = int(os.environ.get("FA_FUZZ_SEED") or secrets.randbits(32))
    say(capsys, f"\n[fuzz] seed {seed} (FA_FUZZ_SEED={seed} repeats it), {TOTAL} requests, {THREADS} threads")
    sup = supervisor_pid()
    workers_before = children_of(sup)
    assert workers_before, f"supervisor {sup} has no workers"
    server_log = Path(env("FA_SERVER_LOG"))
    log_offset, nginx_offset = size_of(server_log), size_of(nginx_error_log())

    stats, failures = run_fuzz(base_url, fuzz_state, seed, TOTAL, DEADLINE_S, bcrypt_budget=200 if LONG else 40)
    summary = format_stats(seed, stats)
    say(capsys, summary)
    out_dir = Path(env("FA_RUN_DIR"))
    (out_dir / "fuzz-summary.json").write_text(json.dumps(
        {"seed": seed, "sent": stats["sent"], "elapsed": stats["elapsed"], "failures": stats["failures"],
         "statuses": {str(k): v for k, v in stats["statuses"].items()},
         "nginx_own": {str(k): v for k, v in stats["nginx_own"].items()}, "kinds": dict(stats["kinds"])}, indent=1))

    # ---- afterwards: the pool still answers (every thread), no worker died, nginx lost no upstream connection
    after = []
    r = requests.get(base_url + "/health", timeout=20)
    if r.status_code != 200:
        after.append(f"/health after fuzzing: HTTP {r.status_code} {r.text[:200]}")
    for _ in range(12):   # more than the pool's threads
        r = requests.post(token_url, data={"grant_type": "client_credentials"},
                          auth=(fuzz_state.app_key, fuzz_state.app_secret), headers={"User-Agent": "fuzz-after"}, timeout=20)
        if r.status_code != 200:
            after.append(f"valid client_credentials after fuzzing: HTTP {r.status_code} {r.text[:300]}")
            break
    workers_after = children_of(sup)
    if workers_after != workers_before:
        after.append(f"the supervisor's workers changed: {sorted(workers_before)} -> {sorted(workers_after)}")
    after += [f"server log: {line}" for line in read_from(server_log, log_offset).splitlines() if "worker exited" in line][:20]
    after += [f"nginx error log: {line}" for line in read_from(nginx_error_log(), nginx_offset).splitlines()
              if UPSTREAM_TROUBLE.search(line)][:20]

    # ---- bad answers, the first few minimised
    report = []
    host, port = urllib.parse.urlsplit(base_url).hostname, urllib.parse.urlsplit(base_url).port
    for n, (i, req, resp, probs) in enumerate(failures):
        line = f"request #{i} ({req.kind}): {'; '.join(probs)}\n    sent: {req.describe()}"
        if n < 5:
            def still(c: Req, rr: Resp, first=probs[0].split(":")[0]) -> bool:
                p = problems(c, rr)
                return bool(p) and p[0].split(":")[0] == first
            line += f"\n    minimised: {minimise(req, host, port, still).describe(2000)}"
        report.append(line)
    if report:
        say(capsys, "[fuzz] bad answers:\n" + "\n".join(report))

    assert not report, f"{stats['failures']} bad answers (first {len(report)}):\n" + "\n".join(report) + summary
    assert not after, "after the fuzz run:\n" + "\n".join(after) + summary
    assert stats["sent"] >= TOTAL, f"only {stats['sent']} of {TOTAL} requests within {DEADLINE_S}s" + summary
