"""The cluster that scripts/cluster started, as the tests see it: its coordinates (DIR/cluster.env), a database
connection to each node, and which node each pool's threads use (/health names it, FUSIO_AUTH_DB_HOSTS contract).
Not a test module: fixtures live in conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pymysql.cursors
import pytest
import requests

UA = "fusio-auth-tests/1.0 (cluster)"


# FUSIO_AUTH_DB_FAILBACK of the test cluster's pools (scripts/cluster's CLUSTER_FAILBACK)
FAILBACK_S = 2


def read_env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip().strip('"')
    return out


@dataclass(frozen=True)
class Pool:
    index: int
    url: str              # the pool's own nginx: requests there are answered by this pool only
    listen: str           # 127.0.0.1:PORT, FastCGI over TCP
    db_hosts: list[str]   # its FUSIO_AUTH_DB_HOSTS, in its order
    dir: Path             # server.pid, server.log

    @property
    def token_url(self) -> str:
        return self.url + "/authorization/token"


@dataclass(frozen=True)
class Cluster:
    root: Path            # the checkout (scripts/cluster)
    dir: Path
    url: str              # nginx with both pools in one upstream: the site
    env: dict[str, str]   # DIR/cluster.env
    pools: list[Pool]
    node_ports: dict[int, int]

    @classmethod
    def load(cls, root: Path, directory: Path) -> "Cluster":
        e = read_env_file(directory / "cluster.env")
        pools = [Pool(p, e[f"POOL{p}_URL"], e[f"POOL{p}_LISTEN"], e[f"POOL{p}_DB_HOSTS"].split(","), directory / f"pool{p}")
                 for p in range(1, int(e["POOLS"]) + 1)]
        nodes = {i: int(e[f"NODE{i}_PORT"]) for i in range(1, int(e["NODES"]) + 1)}
        return cls(root, directory, e["CLUSTER_URL"], e, pools, nodes)

    # ------------------------------------------------------------------ nodes
    def address(self, node: int) -> str:
        return f"127.0.0.1:{self.node_ports[node]}"

    def node_of(self, address: str) -> int:
        for i, port in self.node_ports.items():
            if address == f"127.0.0.1:{port}":
                return i
        pytest.fail(f"{address!r} is no node of the cluster ({self.node_ports})", pytrace=False)

    def db(self, node: int, causal: bool = True, timeout: float = 10) -> pymysql.connections.Connection:
        """The test's connection to one node (TCP, the pools' account). causal: wsrep_sync_wait=1, so a read sees
        every write the cluster committed before it, whichever node took it."""
        conn = pymysql.connect(host="127.0.0.1", port=self.node_ports[node], user=self.env["DB_USER"],
                               password=self.env["DB_PASSWORD"], database=self.env["DB_NAME"], charset="utf8mb4",
                               autocommit=True, cursorclass=pymysql.cursors.DictCursor, connect_timeout=timeout,
                               read_timeout=60, write_timeout=60)
        if causal:
            with conn.cursor() as cur:
                cur.execute("SET SESSION wsrep_sync_wait = 1")
        return conn

    def wsrep(self, node: int) -> dict[str, str]:
        with self.db(node, causal=False, timeout=3) as conn, conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'wsrep_%'")
            return {r["Variable_name"]: r["Value"] for r in cur.fetchall()}

    def whole(self) -> str | None:
        """None when every node is Synced, ready and sees all nodes; otherwise what is wrong."""
        for i in self.node_ports:
            try:
                s = self.wsrep(i)
            except pymysql.MySQLError as e:
                return f"node {i}: {e}"
            if (s.get("wsrep_local_state_comment"), s.get("wsrep_ready"), s.get("wsrep_cluster_size")) != \
                    ("Synced", "ON", str(len(self.node_ports))):
                return (f"node {i}: state {s.get('wsrep_local_state_comment')}, ready {s.get('wsrep_ready')}, "
                        f"cluster size {s.get('wsrep_cluster_size')}")
        return None

    def script(self, *args: str, timeout: float = 180) -> str:
        return cluster_script(self.root, self.dir, *args, timeout=timeout)

    # ------------------------------------------------------------------ pools
    def health(self, pool: Pool, session: requests.Session | None = None, timeout: float = 5) -> requests.Response:
        return (session or requests).get(pool.url + "/health", headers={"User-Agent": UA}, timeout=timeout)

    def node_serving(self, pool: Pool, session: requests.Session | None = None) -> int:
        """The node whose address the pool's /health names (the answering thread's connection)."""
        r = self.health(pool, session)
        assert r.status_code == 200, f"pool {pool.index} /health: HTTP {r.status_code} {r.text[:200]}"
        body = r.json()
        assert body.get("status") == "ok" and isinstance(body.get("node"), str), \
            f"pool {pool.index} /health names no node (FUSIO_AUTH_DB_HOSTS is set): {body}"
        return self.node_of(body["node"])


def cluster_script(root: Path, directory: Path, *args: str, timeout: float = 180,
                   extra_env: dict[str, str] | None = None) -> str:
    """scripts/cluster COMMAND ... --dir DIRECTORY with the built binary; fails the test when it fails."""
    p = subprocess.run([str(root / "scripts" / "cluster"), *args, "--dir", str(directory)],
                       capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "FA_SKIP_BUILD": "1", **(extra_env or {})})
    if p.returncode != 0:
        pytest.fail(f"scripts/cluster {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}", pytrace=False)
    return p.stdout + p.stderr


def poll(cond, timeout: float, interval: float = 0.02):
    """Bounded polling: (first truthy value of cond(), seconds it took), or (None, timeout)."""
    t0 = time.monotonic()
    while True:
        v = cond()
        if v:
            return v, time.monotonic() - t0
        if time.monotonic() - t0 >= timeout:
            return None, timeout
        time.sleep(interval)
