# Private Apache 2.4 in front of fusio-auth; sourced by scripts/lib/common.sh (uses its log, die,
# _pid_alive and _stop_pidfile). Like nginx there: one prefix directory, a pid file, nothing under /etc,
# /run or /var written, stopped through the pid file only.

FA_APACHE_BIN="${FA_APACHE_BIN:-/usr/sbin/apache2}"

# apache_start DIR PORT SOCKET: private Apache with ServerRoot DIR, listening on 127.0.0.1:PORT,
# rendered from apache/standalone.conf.in (which includes apache/fusio-auth-vhost-snippet.conf,
# copied to DIR/conf with its backend replaced). SOCKET may also be HOST:PORT (FastCGI over TCP).
apache_start() {
  local dir="$1" port="$2" sock="$3" user_lines="" i backend pool
  if [ "${sock:0:1}" = / ]; then
    ((${#sock} < 107)) || die "apache_start: socket path too long (${#sock} bytes): $sock"
    backend="unix:$sock|fcgi://fusio-auth/" pool="fcgi://fusio-auth/"
  else
    backend="fcgi://$sock/" pool="fcgi://$sock/"
  fi
  [ -x "$FA_APACHE_BIN" ] || die "$FA_APACHE_BIN not found (Debian package apache2)"
  apache_stop "$dir"
  mkdir -p "$dir/conf" "$dir/logs" "$dir/run" "$dir/htdocs"
  rm -f "$dir/logs/error.log"
  # as root the parent binds and opens the logs, the children run as www-data (the socket's group)
  [ "$(id -u)" = 0 ] && user_lines='User www-data\nGroup www-data'
  # the snippet's pool URL and <Proxy> name; $backend and $pool hold no "#"
  sed -e "s#unix:/run/fusio-auth/fusio-auth.sock|fcgi://fusio-auth/#$backend#g" -e "s#\"fcgi://fusio-auth/\"#\"$pool\"#g" \
    "$FA_ROOT/apache/fusio-auth-vhost-snippet.conf" >"$dir/conf/fusio-auth-vhost-snippet.conf"
  sed -e "s|@PREFIX@|$dir|g" -e "s|@PORT@|$port|g" -e "s#@BACKEND@#$backend#g" -e "s|^@USER_LINES@$|$user_lines|" \
    "$FA_ROOT/apache/standalone.conf.in" >"$dir/conf/apache2.conf"
  "$FA_APACHE_BIN" -t -f "$dir/conf/apache2.conf" >"$dir/logs/configtest.log" 2>&1 ||
    { cat "$dir/logs/configtest.log" >&2; die "Apache config test failed ($dir/conf/apache2.conf)"; }
  # -k start daemonizes into its own session (a Ctrl-C in the terminal does not reach it) and writes the
  # pid file once the port is bound; start-up errors after that point only reach the error log.
  "$FA_APACHE_BIN" -f "$dir/conf/apache2.conf" -k start </dev/null >"$dir/logs/start.log" 2>&1 ||
    { cat "$dir/logs/start.log" "$dir/logs/error.log" >&2 2>/dev/null || true; die "apache2 -k start failed"; }
  for ((i = 0; i < 100; i++)); do
    [ -s "$dir/apache2.pid" ] && _pid_alive "$(cat "$dir/apache2.pid")" && break
    sleep 0.05
  done
  if ! [ -s "$dir/apache2.pid" ] || ! _pid_alive "$(cat "$dir/apache2.pid")"; then
    cat "$dir/logs/start.log" "$dir/logs/error.log" >&2 2>/dev/null || true
    die "Apache did not start within 5 s"
  fi
  log "Apache up (pid $(cat "$dir/apache2.pid"), http://127.0.0.1:$port -> $backend)"
}

apache_stop() {  # DIR: SIGTERM = immediate stop of the parent and its children; the parent removes the pid file
  _stop_pidfile Apache "$1/apache2.pid" 'apache2' 10 TERM
}
