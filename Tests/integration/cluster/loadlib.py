"""A load generator that remembers every token it was given (for the node-loss test): Python threads with kept-alive
sessions, half of them on each pool.

* Issuers: client_credentials in a loop on one app; every access token of a 200 is kept.
* Refreshers: one app each, a refresh-token chain: redeem the current refresh token, alternately through each pool,
  and continue with the new one. An answer that is not 200 or 400 (a 503 while a node is lost, a connection
  error) is retried with the same refresh token: if the first try was committed after all, the retry is a replay
  and gets 400 invalid_grant (which revokes the family); the chain then starts over with client_credentials.
  Every refresh token that got a 200 is counted: two 200s for one would be a refresh that produced two tokens.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field

import requests

from conftest import App

from .clusterlib import UA, Pool


@dataclass
class Record:
    tokens: set[str] = field(default_factory=set)                    # every access token a client received
    statuses: collections.Counter = field(default_factory=collections.Counter)
    redeemed: collections.Counter = field(default_factory=collections.Counter)   # refresh token -> 200s
    unanswered: int = 0            # requests without an HTTP answer (connection error, timeout)
    restarts: int = 0              # refresh chains that had to start over (in-doubt rotation, then a replay)
    requests: int = 0
    slowest: float = 0.0           # seconds: the longest request (the write stall after a node loss shows here)
    odd: list = field(default_factory=list)   # answers that are never allowed (500, 502, 504, ...)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, r: requests.Response | None, pool: Pool, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.slowest = max(self.slowest, seconds)
            if r is None:
                self.unanswered += 1
                return
            self.statuses[r.status_code] += 1
            if r.status_code not in (200, 400, 503) and len(self.odd) < 20:
                self.odd.append((pool.index, r.status_code, r.text[:200]))


class Load:
    def __init__(self, pools: list[Pool], issue_app: App, chain_apps: list[App], issuers_per_pool: int = 2):
        self.pools = pools
        self.issue_app = issue_app
        self.chain_apps = chain_apps
        self.record = Record()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._issuer, args=(pools[i % len(pools)],), daemon=True)
                        for i in range(issuers_per_pool * len(pools))]
        self.threads += [threading.Thread(target=self._refresher, args=(a, i), daemon=True)
                         for i, a in enumerate(chain_apps)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> Record:
        self.stop.set()
        for t in self.threads:
            t.join(60)
        assert not any(t.is_alive() for t in self.threads), "a load thread did not stop within 60 s"
        return self.record

    # ------------------------------------------------------------------ one request
    def _post(self, s: requests.Session, pool: Pool, app: App, data: dict) -> requests.Response | None:
        t0 = time.monotonic()
        try:
            r = s.post(pool.token_url, data=data, auth=(app.key, app.secret), headers={"User-Agent": UA}, timeout=15)
        except requests.RequestException:
            r = None
        self.record.add(r, pool, time.monotonic() - t0)
        if r is not None and r.status_code == 200:
            with self.record.lock:
                self.record.tokens.add(r.json()["access_token"])
        return r

    def _issuer(self, pool: Pool) -> None:
        s = requests.Session()
        while not self.stop.is_set():
            r = self._post(s, pool, self.issue_app, {"grant_type": "client_credentials"})
            if r is None or r.status_code != 200:
                time.sleep(0.05)   # not hammering a pool that answers 503 or not at all
        s.close()

    def _refresher(self, app: App, k: int) -> None:
        sessions = [requests.Session() for _ in self.pools]
        refresh = None
        i = k
        while not self.stop.is_set():
            i += 1
            pool = self.pools[i % len(self.pools)]
            if refresh is None:
                r = self._post(sessions[i % len(self.pools)], pool, app, {"grant_type": "client_credentials"})
                if r is not None and r.status_code == 200:
                    refresh = r.json()["refresh_token"]
                else:
                    time.sleep(0.05)
                continue
            r = self._post(sessions[i % len(self.pools)], pool, app,
                           {"grant_type": "refresh_token", "refresh_token": refresh})
            if r is not None and r.status_code == 200:
                with self.record.lock:
                    self.record.redeemed[refresh] += 1
                refresh = r.json()["refresh_token"]
            elif r is not None and r.status_code == 400:
                with self.record.lock:
                    self.record.restarts += 1
                refresh = None
            else:
                time.sleep(0.05)   # the same refresh token again, through the other pool
        for s in sessions:
            s.close()
