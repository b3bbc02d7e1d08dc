# A private MariaDB Galera cluster on 127.0.0.1; sourced by scripts/lib/common.sh (uses its log, die,
# free_port, random_hex, _pid_alive and _stop_pidfile). Each node lives in DIR/nodeN: its my.cnf, datadir,
# unix socket (root's way in), pid file and error log; it listens on 127.0.0.1 only, with its own client,
# group-communication (gmcast), IST and SST ports. Nothing under /etc, /run or /var is read or written, no
# systemd: nodes are started in the background and stopped through their pid files, like mariadb_start.
#
#   galera_init DIR N              write DIR/nodeI/my.cnf for I=1..N with fresh ports (DIR/galera.ports)
#   galera_node_start DIR I [--wsrep-new-cluster]   start node I, wait until it is Synced
#   galera_node_stop DIR I         clean shutdown (SIGTERM)
#   galera_node_kill DIR I         kill -9: a node lost, as a crash or a pulled cable would leave it
#   galera_status DIR              one line per node: pid, port, state, cluster size
#
# Joiners get their state by mariadb-backup SST (socat stream). rsync SST does not work here: run as root
# with private datadirs, its daemon drops privileges and fails with "cannot stat destination: Permission
# denied". A node that was killed and restarts recovers its position from InnoDB and catches up by IST
# from a donor's gcache when the writes it missed are still there, else by a full SST.

GALERA_PROVIDER="${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}"

_galera_port() {  # DIR I NAME: the port NAME (client, gmcast, ist, sst) of node I
  sed -n "s/^NODE$2_$3=//p" "$1/galera.ports"
}

galera_init() {
  local dir="$1" n="$2" i user_line="" addresses=() ports
  mkdir -p "$dir"
  ports="$dir/galera.ports"
  : >"$ports"
  local free=() k=0
  read -r -a free <<<"$(free_ports $((4 * n)))"   # distinct: none is bound until its node starts
  for ((i = 1; i <= n; i++)); do
    printf 'NODE%s_client=%s\nNODE%s_gmcast=%s\nNODE%s_ist=%s\nNODE%s_sst=%s\n' \
      "$i" "${free[k]}" "$i" "${free[k + 1]}" "$i" "${free[k + 2]}" "$i" "${free[k + 3]}" >>"$ports"
    k=$((k + 4))
  done
  for ((i = 1; i <= n; i++)); do addresses+=("127.0.0.1:$(_galera_port "$dir" "$i" gmcast)"); done
  [ "$(id -u)" = 0 ] && user_line="user = root"   # mariadbd refuses root unless told so
  for ((i = 1; i <= n; i++)); do
    local node="$dir/node$i" gm ist sst
    gm="$(_galera_port "$dir" "$i" gmcast)" ist="$(_galera_port "$dir" "$i" ist)" sst="$(_galera_port "$dir" "$i" sst)"
    mkdir -p "$node"
    # The SST scripts read this file too (mariadbd passes --defaults-file on), so it must be complete.
    cat >"$node/my.cnf" <<EOF
# node $i of the private Galera cluster in $dir (written by scripts/lib/galera.sh galera_init)
[mysqld]
$user_line
datadir = $node/data
socket = $node/mysqld.sock
pid-file = $node/mysqld.pid
log-error = $node/error.log
bind-address = 127.0.0.1
port = $(_galera_port "$dir" "$i" client)
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_log_file_size = 32M

# What Galera needs: row-based write sets, interleaved auto-increment locks (no table-level AUTO-INC lock,
# which would deadlock appliers), InnoDB only, and every table with a primary key (a row without one cannot
# be certified or applied efficiently; REQUIRED_PRIMARY_KEY makes a CREATE TABLE without one fail).
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_mode = REQUIRED_PRIMARY_KEY,STRICT_REPLICATION

wsrep_on = ON
wsrep_provider = $GALERA_PROVIDER
wsrep_cluster_name = fusio-auth
wsrep_cluster_address = gcomm://$(IFS=,; echo "${addresses[*]}")
wsrep_node_name = node$i
wsrep_node_address = 127.0.0.1:$gm
wsrep_sst_receive_address = 127.0.0.1:$sst
wsrep_sst_method = mariabackup
wsrep_sst_auth = root:
# Causal reads stay off by default: fusio-auth asks for them per session where a read must see a token
# the client already holds; everything else reads the node's own committed state.
wsrep_sync_wait = 0
# Each node hands out auto-increment ids offset by its index in steps of the cluster size (the default).
wsrep_auto_increment_control = ON
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$gm; ist.recv_addr=127.0.0.1:$ist; gcache.size=64M; $GALERA_EVS_OPTIONS"

[sst]
sockopt = ",reuseaddr"
EOF
  done
}

# How fast a node that stops answering is declared lost. Until the survivors have agreed on a view without it, every
# commit in the cluster waits (a write set must reach all members): this is the write stall a lost node causes.
# Galera's defaults (suspect after 5 s, declared dead after 15 s) suit WANs with jitter; on loopback or a LAN a node
# is either there or not: suspected after 0.6 s, gone after 1 s. Measured here (test_zz_node_loss.py): with 2 s /
# 3 s the stall was 3 s, with 1 s / 1.5 s about 2 s, and pool 1's /health, queued behind the stalled writes, named a
# survivor only after it. Too low, and a node that is only slow (a starved CPU, a long fsync) is evicted and rejoins.
GALERA_EVS_OPTIONS="${GALERA_EVS_OPTIONS:-evs.keepalive_period=PT0.2S; evs.inactive_check_period=PT0.2S; evs.suspect_timeout=PT0.6S; evs.inactive_timeout=PT1S; evs.install_timeout=PT1S; evs.join_retrans_period=PT0.3S}"

# _galera_sql DIR I SQL: as root over node I's unix socket, tab-separated, no column names
_galera_sql() {
  mariadb --no-defaults --socket="$1/node$2/mysqld.sock" -uroot -N -B -e "$3"
}

_galera_status_var() {  # DIR I NAME
  _galera_sql "$1" "$2" "SHOW GLOBAL STATUS LIKE '$3'" 2>/dev/null | cut -f2
}

# galera_node_start DIR I [--wsrep-new-cluster]: start node I and wait (GALERA_START_TIMEOUT s, default 120:
# a joiner may need a full SST) until it is Synced and ready.
galera_node_start() {
  local dir="$1" i="$2" node="$1/node$2" t="${GALERA_START_TIMEOUT:-120}" k state="" pid
  shift 2
  [ -s "$node/my.cnf" ] || die "galera_node_start: no $node/my.cnf (galera_init first)"
  galera_node_stop "$dir" "$i"
  mkdir -p "$node/data"   # empty for a joiner that gets everything by SST
  if [ $# = 0 ] && grep -q '^seqno: *-1' "$node/data/grastate.dat" 2>/dev/null; then
    # Not shut down cleanly (killed, crashed): grastate.dat has no position. Without one the node would ask
    # for a full SST; what systemd's galera_recovery does, read it from InnoDB, lets it catch up by IST.
    set -- "--wsrep-start-position=$(_galera_recover_position "$dir" "$i")"
  fi
  # setsid: own session, so a Ctrl-C in the terminal does not reach it; stopped via the pid file
  setsid mariadbd --defaults-file="$node/my.cnf" "$@" </dev/null >>"$node/stdout.log" 2>&1 &
  pid=$!
  for ((k = 0; k < t * 10; k++)); do
    if [ -S "$node/mysqld.sock" ]; then
      state="$(_galera_sql "$dir" "$i" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('wsrep_local_state_comment','wsrep_ready') ORDER BY VARIABLE_NAME" 2>/dev/null | tr '\n' ' ' || true)"
      [ "$state" = "Synced ON " ] && break
    fi
    _pid_alive "$pid" || { tail -30 "$node/error.log" >&2; die "node $i exited during start-up (log $node/error.log)"; }
    sleep 0.1
  done
  [ "$state" = "Synced ON " ] || { tail -30 "$node/error.log" >&2; die "node $i not Synced within ${t}s (state: ${state:-no answer})"; }
  log "galera node $i up (pid $pid, 127.0.0.1:$(_galera_port "$dir" "$i" client), cluster size $(_galera_status_var "$dir" "$i" wsrep_cluster_size))"
}

_galera_recover_position() {  # DIR I: uuid:seqno of the last transaction node I committed (mariadbd --wsrep-recover)
  local node="$1/node$2" pos
  mariadbd --defaults-file="$node/my.cnf" --wsrep-recover --log-error="$node/recover.log" </dev/null >/dev/null 2>&1 ||
    { tail -20 "$node/recover.log" >&2; die "node $2: mariadbd --wsrep-recover failed"; }
  pos="$(sed -n 's/.*WSREP: Recovered position: *//p' "$node/recover.log" | tail -1)"
  [ -n "$pos" ] || { tail -20 "$node/recover.log" >&2; die "node $2: no recovered position in $node/recover.log"; }
  printf '%s\n' "$pos"
}

# galera_cluster_start DIR: a new cluster of the nodes galera_init wrote. Node 1 is bootstrapped once on a
# fresh datadir and stopped cleanly; the others start from copies of that datadir, so they already hold
# the cluster's state (same history UUID and seqno in grastate.dat) and join without a state transfer
# (mariadb-backup's SST script alone sleeps 10 s before it sends anything). Then node 1 bootstraps the
# cluster again (--wsrep-new-cluster) and the others join in parallel.
galera_cluster_start() {
  local dir="$1" i user_opt=() pids=() rc=0 p
  [ "$(id -u)" = 0 ] && user_opt=(--user=root)
  rm -rf "$dir"/node*/data
  # --no-defaults: the system tables are created without wsrep
  mariadb-install-db --no-defaults --datadir="$dir/node1/data" "${user_opt[@]}" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    >"$dir/node1/install-db.log" 2>&1 || { cat "$dir/node1/install-db.log" >&2; die "mariadb-install-db failed"; }
  galera_node_start "$dir" 1 --wsrep-new-cluster
  galera_node_stop "$dir" 1
  grep -q '^safe_to_bootstrap: 1' "$dir/node1/data/grastate.dat" || die "node 1 left no clean grastate.dat"
  for i in $(galera_nodes "$dir"); do
    [ "$i" = 1 ] && continue
    # the node's own files stay behind: its gcache and its last view of the cluster
    cp -a "$dir/node1/data" "$dir/node$i/data"
    rm -f "$dir/node$i/data/galera.cache" "$dir/node$i/data/gvwstate.dat"
    sed -i 's/^safe_to_bootstrap: 1/safe_to_bootstrap: 0/' "$dir/node$i/data/grastate.dat"
  done
  galera_node_start "$dir" 1 --wsrep-new-cluster
  for i in $(galera_nodes "$dir"); do
    [ "$i" = 1 ] && continue
    (galera_node_start "$dir" "$i") &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=$?; done
  [ $rc = 0 ] || die "a node did not join the cluster"
}

galera_node_stop() {  # DIR I: SIGTERM = clean InnoDB shutdown and a clean leave from the cluster
  _stop_pidfile "galera node $2" "$1/node$2/mysqld.pid" 'mariadbd' 60
}

galera_node_kill() {  # DIR I: SIGKILL, no shutdown: the node's datadir is left as after a crash
  local pf="$1/node$2/mysqld.pid" pid k
  [ -s "$pf" ] || die "galera_node_kill: node $2 has no pid file"
  pid="$(cat "$pf")"
  _pid_is "$pid" 'mariadbd' || die "galera_node_kill: pid $pid is not mariadbd"
  kill -KILL "$pid"
  for ((k = 0; k < 100; k++)); do _pid_alive "$pid" || break; sleep 0.05; done
  rm -f "$pf"
  log "galera node $2 killed (pid $pid)"
}

galera_nodes() {  # DIR: the node indexes of the cluster in DIR
  sed -n 's/^NODE\([0-9]*\)_client=.*/\1/p' "$1/galera.ports"
}

galera_status() {  # DIR
  local dir="$1" i pid
  for i in $(galera_nodes "$dir"); do
    pid="$(cat "$dir/node$i/mysqld.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && _pid_alive "$pid"; then
      printf 'node%s pid=%s port=%s state=%s ready=%s cluster_size=%s\n' "$i" "$pid" \
        "$(_galera_port "$dir" "$i" client)" "$(_galera_status_var "$dir" "$i" wsrep_local_state_comment)" \
        "$(_galera_status_var "$dir" "$i" wsrep_ready)" "$(_galera_status_var "$dir" "$i" wsrep_cluster_size)"
    else
      printf 'node%s down port=%s\n' "$i" "$(_galera_port "$dir" "$i" client)"
    fi
  done
}
