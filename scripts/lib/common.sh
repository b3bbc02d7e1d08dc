# Shared functions of scripts/demo, scripts/test and scripts/bench. Source it:
#
#   . "$(dirname "$0")/lib/common.sh"
#
# or call one function from another program (the integration tests do):
#
#   scripts/lib/common.sh nginx_start DIR PORT SOCKET
#
# Everything runs privately: MariaDB, nginx and the server live under one run directory, are
# started in the background with a pid file each and are stopped through those pid files only
# (never by process name). Nothing under /etc, /run or /var is written.

set -euo pipefail
umask 022   # nginx workers (www-data) must traverse our directories to reach the FastCGI socket

FA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FA_BIN="${FA_BIN:-$FA_ROOT/.build/release/fusio-auth}"
FA_PACKAGES=(mariadb-server mariadb-client libmariadb-dev libfcgi-dev spawn-fcgi libssl-dev libcrypt-dev
  pkg-config nginx apache2 curl python3 python3-venv wrk php-cli procps iproute2 chromium chromium-driver
  galera-4 mariadb-backup socat)   # the last three: scripts/cluster (Galera, its SST tool and stream)

log() { printf '[%s] %s\n' "${FA_LOG_TAG:-fusio-auth}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------------------------ paths
# fa_run_base: the directory that holds all runtime state (<base>/<name>/...). It is $ROOT/.run
# unless unix socket paths below it could get too long (sun_path: 107 bytes; we budget 60 bytes
# for "<name>/<sub>/<file>.sock") or nginx's www-data workers cannot traverse $ROOT: then
# /tmp/fusio-auth-<hash of ROOT> (stable per checkout, so leftovers of a crashed run are found).
fa_run_base() {
  local base="$FA_ROOT/.run"
  if ((${#base} + 60 > 107)) || ! _www_can_traverse "$FA_ROOT"; then
    base="/tmp/fusio-auth-$(printf '%s' "$FA_ROOT" | sha256sum | cut -c1-10)"
  fi
  printf '%s\n' "$base"
}

_www_can_traverse() {  # DIR: can user www-data reach DIR (search permission on every component)?
  [ "$(id -u)" = 0 ] || return 0          # not root: nginx workers run as ourselves
  id www-data >/dev/null 2>&1 || return 0
  command -v runuser >/dev/null || return 0
  runuser -u www-data -- test -x "$1" 2>/dev/null
}

# fa_run_dir NAME: <base>/NAME, created (mode 755)
fa_run_dir() {
  local d
  d="$(fa_run_base)/$1"
  mkdir -p "$d"
  chmod 755 "$(dirname "$d")" "$d"
  printf '%s\n' "$d"
}

random_hex() { head -c "$1" /dev/urandom | od -An -v -tx1 | tr -d ' \n'; }   # BYTES -> 2*BYTES hex

free_port() {
  free_ports 1
}

# N distinct ports that are free now, drawn below the kernel's ephemeral range (ip_local_port_range, from 32768):
# a port the kernel hands out for bind(0) can be taken by any outgoing connection before our server binds it
# (a Galera node lost its client port to another node's connection that way).
free_ports() {  # N
  python3 - "$1" <<'PY'
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
chosen = set()
while len(chosen) < int(sys.argv[1]):
    port = random.randrange(10000, low)
    if port in chosen:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    chosen.add(port)
print(" ".join(map(str, sorted(chosen))))
PY
}

# ------------------------------------------------------------------------------------ processes
_pid_alive() {  # PID: running and not a zombie
  local st
  [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
  st="$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | awk '{print $1}')" || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

_pid_is() {  # PID COMM-PATTERN: guards against a recycled pid in a stale pid file
  local comm
  comm="$(cat "/proc/$1/comm" 2>/dev/null)" || return 1
  # shellcheck disable=SC2053  # $2 is a glob on purpose
  [[ "$comm" == $2 ]]
}

# _stop_pidfile NAME PIDFILE COMM-PATTERN TIMEOUT_S [SIGNAL]
_stop_pidfile() {
  local name="$1" pf="$2" pat="$3" t="$4" sig="${5:-TERM}" pid i
  [ -s "$pf" ] || return 0
  pid="$(cat "$pf")"
  if ! _pid_alive "$pid" || ! _pid_is "$pid" "$pat"; then rm -f "$pf"; return 0; fi
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 10; i++)); do _pid_alive "$pid" || break; sleep 0.1; done
  if _pid_alive "$pid"; then
    log "$name (pid $pid) still running after ${t}s, SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do _pid_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$pf"
  log "$name stopped (pid $pid)"
}

# ------------------------------------------------------------------------------------ packages
ensure_packages() {
  local missing=() p
  for p in "${FA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages (run as root or install them): ${missing[*]}"
  log "installing: ${missing[*]}"
  apt-get update -q
  # This image has a policy-rc.d that keeps apt from starting the system mariadb/nginx services,
  # and we never use them anyway: everything below runs privately.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

build_release() {   # FA_SKIP_BUILD=1: use an existing $FA_BIN as it is
  if [ "${FA_SKIP_BUILD:-0}" = 1 ] && [ -x "$FA_BIN" ]; then log "using $FA_BIN (FA_SKIP_BUILD=1)"; return 0; fi
  command -v swift >/dev/null || die "swift not found in PATH"
  log "swift build -c release --product fusio-auth"
  (cd "$FA_ROOT" && swift build -c release --product fusio-auth)
  [ -x "$FA_BIN" ] || die "build produced no $FA_BIN"
}

# ------------------------------------------------------------------------------------ MariaDB
# mariadb_start DIR: fresh private MariaDB in DIR (datadir DIR/data, socket DIR/mysqld.sock,
# pid DIR/mysqld.pid, no TCP), database `fusio` (utf8mb4) and user fusio@localhost with a new
# random password. Writes DIR/db.env (DB_SOCKET, DB_USER, DB_PASSWORD, DB_NAME), mode 600.
# root@localhost keeps an empty password (throwaway instance, unix socket only).
mariadb_start() {
  local dir="$1" user_opt=() i pw
  mkdir -p "$dir"
  mariadb_stop "$dir"
  rm -rf "$dir/data" "$dir/mysqld.sock" "$dir/db.env"
  [ "$(id -u)" = 0 ] && user_opt=(--user=root)   # mariadbd refuses root unless told so
  # --no-defaults first: otherwise /etc/mysql/my.cnf moves socket and pid to /run/mysqld
  mariadb-install-db --no-defaults --datadir="$dir/data" "${user_opt[@]}" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    >"$dir/install-db.log" 2>&1 || { cat "$dir/install-db.log" >&2; die "mariadb-install-db failed"; }
  # setsid: own session, so a Ctrl-C in the terminal does not reach it; stopped via the pid file
  setsid mariadbd --no-defaults \
    --datadir="$dir/data" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --log-error="$dir/error.log" "${user_opt[@]}" \
    --skip-networking --skip-name-resolve --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >"$dir/stdout.log" 2>&1 &
  for ((i = 0; i < 300; i++)); do
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 ||
    { tail -20 "$dir/error.log" >&2 || true; die "MariaDB did not answer within 30 s"; }
  pw="$(random_hex 16)"
  # `fusio%` also lets the tests create scratch databases fusio_<something> as this user
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot <<SQL
CREATE DATABASE fusio CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'fusio'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`fusio%\`.* TO 'fusio'@'localhost';
SQL
  (umask 077 && printf 'DB_SOCKET=%s\nDB_USER=fusio\nDB_PASSWORD=%s\nDB_NAME=fusio\n' \
    "$dir/mysqld.sock" "$pw" >"$dir/db.env")
  log "MariaDB up (pid $(cat "$dir/mysqld.pid"), socket $dir/mysqld.sock)"
}

mariadb_stop() {  # DIR: SIGTERM = clean InnoDB shutdown
  _stop_pidfile MariaDB "$1/mysqld.pid" 'mariadbd' 60
}

# db_client DIR [mariadb args...]: the mariadb client as user fusio on database fusio
db_client() {
  local dir="$1"; shift
  # shellcheck disable=SC1091
  (. "$dir/db.env" && MYSQL_PWD="$DB_PASSWORD" mariadb --no-defaults --socket="$DB_SOCKET" -u"$DB_USER" "$DB_NAME" "$@")
}

# ------------------------------------------------------------------------------------ nginx
# nginx_start DIR PORT SOCKET: private nginx with prefix DIR, listening on 127.0.0.1:PORT,
# rendered from nginx/standalone.conf.in. NGINX_KEEPALIVE_REQUESTS (default 100000) sets the
# upstream's keepalive_requests (the long test makes it small so kept connections churn). SOCKET may
# also be HOST:PORT (FastCGI over TCP), or a comma list of both: one upstream server each (scripts/cluster).
nginx_start() {
  local dir="$1" port="$2" user_line="" i upstream="" servers=() s
  IFS=, read -r -a servers <<<"$3"
  for s in "${servers[@]}"; do
    if [ "${s:0:1}" = / ]; then
      ((${#s} < 107)) || die "nginx_start: socket path too long (${#s} bytes): $s"
      s="unix:$s"
    fi
    upstream+="${upstream:+\\n        }server $s;"
  done
  nginx_stop "$dir"
  mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp"
  [ "$(id -u)" = 0 ] && user_line="user www-data;"
  cp /etc/nginx/fastcgi_params "$dir/conf/fastcgi_params"
  cp "$FA_ROOT/nginx/fusio-auth-locations.conf" "$FA_ROOT/nginx/fusio-auth-fastcgi.conf" "$dir/conf/"
  sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" -e "/^ *@UPSTREAM_SERVERS@$/s|@UPSTREAM_SERVERS@|$upstream|" \
    -e "s|@USER_LINE@|$user_line|g" -e "s|@KEEPALIVE_REQUESTS@|${NGINX_KEEPALIVE_REQUESTS:-100000}|g" \
    "$FA_ROOT/nginx/standalone.conf.in" >"$dir/conf/nginx.conf"
  nginx -t -q -p "$dir" -c "$dir/conf/nginx.conf" -e "$dir/logs/error.log" >"$dir/logs/configtest.log" 2>&1 ||
    { cat "$dir/logs/configtest.log" >&2; die "nginx config test failed ($dir/conf/nginx.conf)"; }
  nginx -p "$dir" -c "$dir/conf/nginx.conf" -e "$dir/logs/error.log" </dev/null   # daemonizes
  for ((i = 0; i < 100; i++)); do
    [ -s "$dir/nginx.pid" ] && _pid_alive "$(cat "$dir/nginx.pid")" && break
    sleep 0.05
  done
  [ -s "$dir/nginx.pid" ] || { cat "$dir/logs/error.log" >&2; die "nginx did not start"; }
  log "nginx up (pid $(cat "$dir/nginx.pid"), http://127.0.0.1:$port -> $3)"
}

nginx_stop() {  # DIR
  _stop_pidfile nginx "$1/nginx.pid" 'nginx' 10 TERM   # TERM = fast shutdown of master and workers
}

# ------------------------------------------------------------------------------------ server
# server_start DIR ENVFILE SOCKET [serve args...]: `fusio-auth serve` in the background, stderr
# to DIR/server.log, pid in DIR/server.pid. SOCKET is a unix socket path, or HOST:PORT (TCP). Waits
# (bounded, FA_START_TIMEOUT s, default 30) until it listens, and if FA_HEALTH_URL is set until that URL
# answers 200.
server_start() {
  local dir="$1" env="$2" sock="$3" i pid t="${FA_START_TIMEOUT:-30}" listen
  shift 3
  [ -x "$FA_BIN" ] || die "$FA_BIN not built"
  listen="$sock"
  mkdir -p "$dir"
  server_stop "$dir"
  if [ "${sock:0:1}" = / ]; then
    ((${#sock} < 107)) || die "server_start: socket path too long (${#sock} bytes): $sock"
    listen="unix:$sock"
    rm -f "$sock"
  fi
  setsid "$FA_BIN" serve --env "$env" --listen "$listen" "$@" </dev/null >>"$dir/server.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/server.pid"
  for ((i = 0; i < t * 10; i++)); do
    _pid_alive "$pid" || { tail -20 "$dir/server.log" >&2; die "fusio-auth serve exited during start-up"; }
    if _listening "$sock"; then
      [ -z "${FA_HEALTH_URL:-}" ] && break
      [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$FA_HEALTH_URL" || true)" = 200 ] && break
    fi
    sleep 0.1
  done
  _listening "$sock" || { tail -20 "$dir/server.log" >&2; die "nothing listens on $sock after ${t}s"; }
  if [ -n "${FA_HEALTH_URL:-}" ] &&
    [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$FA_HEALTH_URL" || true)" != 200 ]; then
    tail -20 "$dir/server.log" >&2
    die "$FA_HEALTH_URL did not answer 200 within ${t}s"
  fi
  log "fusio-auth up (pid $pid, $listen, log $dir/server.log)"
}

_listening() {  # SOCKET (path) or HOST:PORT: does something listen there? (never connects)
  if [ "${1:0:1}" = / ]; then [ -S "$1" ]; else ss -Hltn "sport = :${1##*:}" 2>/dev/null | grep -q .; fi
}

server_stop() {  # DIR: SIGTERM (the server drains for up to 10 s), SIGKILL after 15 s
  local pf="$1/server.pid" pid kids
  if [ -s "$pf" ] && _pid_alive "$(cat "$pf")"; then
    pid="$(cat "$pf")"
    kids="$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ' || true)"
    _stop_pidfile fusio-auth "$pf" 'fusio-auth*' 15
    # workers of a supervisor that had to be SIGKILLed
    for pid in $kids; do _pid_alive "$pid" && _pid_is "$pid" 'fusio-auth*' && kill -KILL "$pid" 2>/dev/null; done
  fi
  rm -f "$pf"
}

# stop_all_under DIR: stop everything a previous (maybe crashed) run left under DIR, found by its
# pid files: servers (server.pid), nginx (nginx.pid), Apache (apache2.pid), then MariaDB (mysqld.pid).
stop_all_under() {
  local f
  [ -d "$1" ] || return 0
  while IFS= read -r f; do server_stop "$(dirname "$f")"; done < <(find "$1" -name server.pid 2>/dev/null)
  while IFS= read -r f; do nginx_stop "$(dirname "$f")"; done < <(find "$1" -name nginx.pid 2>/dev/null)
  while IFS= read -r f; do apache_stop "$(dirname "$f")"; done < <(find "$1" -name apache2.pid 2>/dev/null)
  while IFS= read -r f; do mariadb_stop "$(dirname "$f")"; done < <(find "$1" -name mysqld.pid 2>/dev/null)
}

# write_env FILE APP_URL PROJECT_KEY DBDIR: a Fusio-style .env for the database whose DBDIR/db.env
# mariadb_start (DB_SOCKET) or scripts/cluster (DB_HOST and DB_PORT: TCP) wrote
write_env() {
  local file="$1" url="$2" key="$3" dbdir="$4"
  # shellcheck disable=SC1091
  (
    DB_SOCKET="" DB_HOST="" DB_PORT=""
    . "$dbdir/db.env"
    if [ -n "$DB_SOCKET" ]; then
      where="localhost/$DB_NAME?unix_socket=$DB_SOCKET&"
    else
      where="$DB_HOST:$DB_PORT/$DB_NAME?"
    fi
    umask 077
    cat >"$file" <<EOF
# generated by scripts/lib/common.sh write_env
APP_URL="$url"
APP_PROJECT_KEY="$key"
APP_CONNECTION="pdo-mysql://$DB_USER:$DB_PASSWORD@${where}charset=utf8mb4"
FUSIO_EXPIRE_TOKEN="P2D"
FUSIO_EXPIRE_REFRESH="P3D"
# nginx is the only client that reaches the socket: believe its X-Forwarded-For (nginx/ shows how to set it),
# so tests can act as other client addresses; local traffic itself is never counted or banned.
APP_TRUSTED_IP_HEADER="X-Forwarded-For"
FUSIO_TRUSTED_PROXIES="127.0.0.0/8,::1"
FUSIO_FIREWALL_IGNOREIP="127.0.0.1"
EOF
  )
}

# kv KEY TEXT: value of a KEY=value line in TEXT (the admin commands print those)
kv() { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -1; }

# demo_seed ENV_FILE APP_URL: the demo user (Consumer, random password) and its app; sets DEMO_PASSWORD,
# APP_KEY and APP_SECRET (scripts/demo, scripts/cluster)
demo_seed() {
  local out
  DEMO_PASSWORD="$(random_hex 8)"
  "$FA_BIN" user add --env "$1" --name demo --email demo@example.com --password "$DEMO_PASSWORD" --role Consumer >&2
  out="$("$FA_BIN" app add --env "$1" --user demo --name demo-app --url "$2" --scopes authorization,consumer,default)"
  APP_KEY="$(kv app_key "$out")"
  APP_SECRET="$(kv app_secret "$out")"
  [ -n "$APP_KEY" ] && [ -n "$APP_SECRET" ] || die "app add printed no app_key/app_secret"
}

# demo_curl_lines APP_URL PROJECT_KEY [METRICS_PORT]: the curl lines scripts/demo and scripts/cluster print
# for the user and app of demo_seed
demo_curl_lines() {
  local APP_URL="$1" PROJECT_KEY="$2" METRICS_PORT="${3:-}" TOKEN_URL="$1/authorization/token" VERIFY
  VERIFY='import sys,json,hmac,hashlib,base64;d=lambda s:base64.urlsafe_b64decode(s+"="*(-len(s)%4));h,p,s=json.load(sys.stdin)["access_token"].split(".");print(json.dumps(json.loads(d(p)),indent=2));print("signature",["INVALID","OK"][hmac.compare_digest(hmac.new(sys.argv[1].encode(),(h+"."+p).encode(),hashlib.sha256).digest(),d(s))])'
  cat <<EOF
# client_credentials with the app key and secret (HTTP Basic)
curl -s -u '$APP_KEY:$APP_SECRET' -d grant_type=client_credentials $TOKEN_URL

# the same with the credentials in the body, asking for one scope
curl -s -d grant_type=client_credentials -d client_id=$APP_KEY -d client_secret=$APP_SECRET -d scope=authorization $TOKEN_URL

# user credentials as client id and secret (Fusio's fallback: no app, app_id NULL in fusio_token)
curl -s -u 'demo:$DEMO_PASSWORD' -d grant_type=client_credentials $TOKEN_URL

# password grant (the app asks for a token for the demo user)
curl -s -u '$APP_KEY:$APP_SECRET' -d grant_type=password -d username=demo -d password='$DEMO_PASSWORD' $TOKEN_URL

# Fusio's consumer login (JSON), then whoami with the token it returns
curl -s -A demo -H 'Content-Type: application/json' -d '{"username":"demo","password":"$DEMO_PASSWORD"}' $APP_URL/consumer/login
curl -s -H "Authorization: Bearer \$(curl -s -A demo -H 'Content-Type: application/json' -d '{"username":"demo","password":"$DEMO_PASSWORD"}' $APP_URL/consumer/login | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')" $APP_URL/authorization/whoami

# discovery document, and the HTML consent page of the authorization-code flow
curl -s $APP_URL/.well-known/openid-configuration
echo '$APP_URL/authorization/authorize?response_type=code&client_id=$APP_KEY&redirect_uri=$APP_URL/cb&scope=authorization&state=xyz'

# health
curl -s $APP_URL/health
EOF
  [ -z "$METRICS_PORT" ] || cat <<EOF

# Prometheus metrics of the whole pool (a listener of its own, not reachable through the web server)
curl -s http://127.0.0.1:$METRICS_PORT/metrics
EOF
  cat <<EOF

# issue a token and verify its HS256 signature with the project key
curl -s -u '$APP_KEY:$APP_SECRET' -d grant_type=client_credentials $TOKEN_URL | python3 -c '$VERIFY' '$PROJECT_KEY'
EOF
}

# apache_start DIR PORT SOCKET, apache_stop DIR: the same for a private Apache 2.4
# shellcheck source=scripts/lib/apache.sh
. "$FA_ROOT/scripts/lib/apache.sh"

# galera_init, galera_node_start/stop/kill, galera_status: a private Galera cluster (scripts/cluster)
# shellcheck source=scripts/lib/galera.sh
. "$FA_ROOT/scripts/lib/galera.sh"

# ------------------------------------------------------------------------------------ CLI use
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    nginx_start | nginx_stop | apache_start | apache_stop | server_start | server_stop | mariadb_start | mariadb_stop | stop_all_under | fa_run_base | fa_run_dir | free_port)
      "$@" ;;
    *) echo "usage: $0 {nginx_start DIR PORT SOCKET|nginx_stop DIR|apache_start DIR PORT SOCKET|apache_stop DIR|server_start DIR ENV SOCKET [args]|server_stop DIR|mariadb_start DIR|mariadb_stop DIR|stop_all_under DIR|fa_run_base|fa_run_dir NAME|free_port}" >&2
      exit 2 ;;
  esac
fi
