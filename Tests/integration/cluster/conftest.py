"""Fixtures of the cluster tests (scripts/test's `cluster` stage, `scripts/test --cluster`).

The session starts its own cluster through `scripts/cluster start --dir $FA_RUN_DIR/cluster` (three Galera
nodes, two `fusio-auth serve` pools over TCP, each with its own FUSIO_AUTH_DB_HOSTS order, one nginx for the site
and one per pool) and stops it at the end. Every test FAILS (never skips) unless all three nodes are Synced in one
cluster of three and both pools answer /health.

This directory is a package (cluster.*) so that `conftest` still names Tests/integration/conftest.py, whose helpers
(create_user, create_app, ...) work here once FA_ENV_FILE and friends point at the cluster. pytest loads that file
too; its autouse `server_up` (the single-server pool) is replaced here by the cluster's. The single-server stage of
scripts/test does not collect this directory (--ignore).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import App, User, create_app, create_user, env, q

from .clusterlib import FAILBACK_S, Cluster, Pool, cluster_script


@pytest.fixture(scope="session", autouse=True)
def server_up(cluster):
    """Replaces Tests/integration/conftest.py's check of the single-server pool: here the cluster must be up."""


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    root = Path(env("FA_ROOT"))
    directory = Path(env("FA_RUN_DIR")) / "cluster"
    # fail-back after 2 s (product default 30): test_zz_node_loss waits for pool 1 to return to its first node
    cluster_script(root, directory, "start", timeout=300, extra_env={"CLUSTER_FAILBACK": str(FAILBACK_S)})
    c = Cluster.load(root, directory)
    # the helpers of Tests/integration/conftest.py (fusio-auth user add, app add, ...) use the site's .env
    os.environ.update(FA_ENV_FILE=c.env["ENV_FILE"], FA_PROJECT_KEY=c.env["PROJECT_KEY"], FA_APP_URL=c.url,
                      FA_BASE_URL=c.url)
    # Fusio's default rates (900 anonymous requests an hour per IP on operations) would refuse the suite's own
    # traffic, as in the single-server stage
    conn = c.db(1)
    q(conn, "UPDATE fusio_rate SET rate_limit = 100000000")
    conn.close()
    yield c
    cluster_script(root, directory, "stop", timeout=120)


@pytest.fixture(autouse=True)
def cluster_whole(cluster: Cluster):
    """Before each test: three Synced nodes in one cluster and both pools healthy, or the test fails."""
    problem = cluster.whole()
    if problem:
        pytest.fail(f"the cluster is not whole: {problem}", pytrace=False)
    for pool in cluster.pools:
        r = cluster.health(pool)
        if r.status_code != 200:
            pytest.fail(f"pool {pool.index} is not up: /health HTTP {r.status_code} {r.text[:200]}", pytrace=False)


@pytest.fixture(scope="session")
def pools_apart(cluster: Cluster) -> tuple[Pool, Pool]:
    """The two pools, each on the first node of its FUSIO_AUTH_DB_HOSTS, which are different nodes: what the
    cross-node tests need to mean anything."""
    p1, p2 = cluster.pools
    # The node most of a pool's threads use (test_setup.py: a thread that missed the connect timeout on a starved
    # box may sit on the next node of its list).
    def usual_node(pool: Pool) -> int:
        served = [cluster.node_serving(pool) for _ in range(8)]
        return max(set(served), key=served.count)
    n1, n2 = usual_node(p1), usual_node(p2)
    assert n1 == cluster.node_of(p1.db_hosts[0]) and n2 == cluster.node_of(p2.db_hosts[0]), \
        f"pools are not on their first nodes: pool 1 on node {n1}, pool 2 on node {n2}"
    assert n1 != n2, f"both pools use node {n1}"
    return p1, p2


@pytest.fixture(scope="session")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture
def app(owner: User) -> App:
    """A fresh app per test, so its token rows are the test's alone."""
    return create_app(owner, "authorization,consumer,default")

