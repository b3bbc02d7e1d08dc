"""The schema and the settings on Galera: what `fusio-auth migrate` made replicates to every node (DDL and the
stored procedure run as TOI), every table has a primary key (Galera certifies and applies rows by key; the nodes
refuse a table without one, wsrep_mode=REQUIRED_PRIMARY_KEY), and the nodes run with the settings the README's
"More than one machine" names. And each pool starts on the first node of its FUSIO_AUTH_DB_HOSTS.
"""

from __future__ import annotations

import pymysql
import pytest

from conftest import q, run_cli

from .clusterlib import Cluster

NODES = (1, 2, 3)


def tables_without_primary_key(conn) -> list[str]:
    rows = q(conn, "SELECT t.TABLE_NAME AS name FROM information_schema.TABLES t "
                   "LEFT JOIN information_schema.TABLE_CONSTRAINTS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA "
                   "AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY' "
                   "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND c.CONSTRAINT_NAME IS NULL")
    return sorted(r["name"] for r in rows)


def schema_of(conn) -> dict:
    tables = q(conn, "SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES "
                     "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")
    columns = q(conn, "SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type FROM information_schema.COLUMNS "
                      "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION")
    routines = q(conn, "SELECT ROUTINE_NAME AS name, ROUTINE_DEFINITION AS body FROM information_schema.ROUTINES "
                       "WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME")
    return {"tables": tables, "columns": columns, "routines": routines}


def test_every_table_has_a_primary_key_on_every_node(cluster: Cluster):
    for node in NODES:
        with cluster.db(node) as conn:
            assert len(q(conn, "SHOW TABLES")) >= 30, f"node {node}: the schema is missing"
            assert tables_without_primary_key(conn) == [], f"node {node}: tables without a primary key"
            engines = {r["engine"] for r in schema_of(conn)["tables"]}
            assert engines == {"InnoDB"}, f"node {node}: only InnoDB replicates, found {engines}"


def test_migrate_replicates_its_ddl_and_procedure_to_every_node_and_runs_again(cluster: Cluster):
    # scripts/cluster ran it once on node 1; once more must change nothing (idempotent under TOI as well)
    p = run_cli("migrate", "--env", cluster.env["ENV_FILE"], "--sql-dir", str(cluster.root / "sql"))
    assert p.returncode == 0
    schemas = {}
    for node in NODES:
        with cluster.db(node) as conn:
            schemas[node] = schema_of(conn)
    assert [r["name"] for r in schemas[1]["routines"]] == ["fusioauth_issue_token"]
    assert schemas[1] == schemas[2] == schemas[3], "the nodes' schemas differ"


def test_a_table_without_primary_key_is_refused(cluster: Cluster):
    with cluster.db(3) as conn:
        with pytest.raises(pymysql.MySQLError):
            q(conn, "CREATE TABLE fusio_no_primary_key (a INT)")
        assert q(conn, "SHOW TABLES LIKE 'fusio_no_primary_key'") == []


def test_nodes_run_with_the_settings_that_matter(cluster: Cluster):
    offsets = set()
    for node in NODES:
        with cluster.db(node, causal=False) as conn:
            v = q(conn, "SELECT @@GLOBAL.binlog_format AS binlog_format, @@GLOBAL.innodb_autoinc_lock_mode AS lock_mode, "
                        "@@GLOBAL.wsrep_sync_wait AS sync_wait, @@auto_increment_increment AS increment, "
                        "@@auto_increment_offset AS auto_offset, @@wsrep_auto_increment_control AS control, "
                        "@@wsrep_mode AS mode")[0]
        assert v["binlog_format"] == "ROW" and v["lock_mode"] == 2, v
        assert v["sync_wait"] == 0, "causal reads are asked for per session where needed, not for every read"
        assert v["control"] == 1 and v["increment"] == 3, v
        assert "REQUIRED_PRIMARY_KEY" in v["mode"], v
        offsets.add(v["auto_offset"])
    assert offsets == {1, 2, 3}, "each node hands out its own auto-increment ids"


def test_each_pool_serves_from_the_first_node_of_its_list(cluster: Cluster, pools_apart):
    for pool in pools_apart:
        first = cluster.node_of(pool.db_hosts[0])
        # more /health requests than the pool has threads: every thread reports its node
        served = [cluster.node_serving(pool) for _ in range(12)]
        listed = {cluster.node_of(host) for host in pool.db_hosts}
        assert set(served) <= listed, f"pool {pool.index}: threads on nodes {set(served)}, outside its list {listed}"
        # Threads connect lazily with a 1 s connect timeout (the failover bound): on a starved CI box a thread's first
        # handshake can miss it and that thread serves from the next node until its fail-back (FAILBACK_S after it
        # moved, test_zz_node_loss). Most must be on the first.
        assert served.count(first) > len(served) // 2, \
            f"pool {pool.index}: answers from nodes {served}, its list starts with node {first}"

