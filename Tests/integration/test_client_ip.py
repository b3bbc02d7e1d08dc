"""Client IP resolution: REMOTE_ADDR, or the trusted forwarding header when the peer is a trusted proxy.

Behaviour: issue 5 "Client IP" (reference §6.4 fixed per §8.2): with APP_TRUSTED_IP_HEADER=X-Forwarded-For and
FUSIO_TRUSTED_PROXIES=127.0.0.0/8,::1 (scripts/lib/common.sh write_env) the client is the right-most address of
the header that is not itself a trusted proxy — never the raw header string PHP would store — and anything that
is not a valid IPv4/IPv6 address falls back to REMOTE_ADDR. The header is believed only from a trusted peer.
An address taken from the header is stored in its canonical text form (inet_ntop), so every address fits
Fusio's VARCHAR(39)/(40) ip columns.

Through nginx REMOTE_ADDR is always 127.0.0.1 (trusted). The peer-address cases talk FastCGI directly to a
private `fusio-auth serve` instance, so REMOTE_ADDR can be anything.
"""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import struct
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import (App, User, cli_env, create_app, create_user, env, q, q1, terminate, wait_until)
from grantlib import assert_token_response, token_request

UA = "fusio-auth-tests/1.0 (client-ip)"
LOCAL = "127.0.0.1"


def rand4(prefix: str = "198.51.100") -> str:
    return f"{prefix}.{random.randint(1, 254)}"


def rand6() -> str:
    return "2001:db8:c1::" + format(random.randint(1, 0xFFFF), "x")


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def app(owner) -> App:
    return create_app(owner, "authorization,default")


def issue(token_url: str, app: App, forwarded: str | None) -> dict:
    """client_credentials as `app`, with the given X-Forwarded-For; returns the fusio_token row."""
    h = {"User-Agent": UA}
    if forwarded is not None:
        h["X-Forwarded-For"] = forwarded
    r = token_request(token_url, {"grant_type": "client_credentials", "scope": "authorization"},
                      auth=(app.key, app.secret), headers=h)
    body = assert_token_response(r)
    return body["access_token"]


def row_ip(db, access_token: str) -> str:
    row = q1(db, "SELECT ip FROM fusio_token WHERE token = %s", (access_token,))
    assert row is not None, "no fusio_token row for the access token"
    return row["ip"]


def cleanup_ips(db, *addresses: str) -> None:
    for ip in addresses:
        if ip != LOCAL:
            q(db, "DELETE FROM fusio_firewall_log WHERE ip = %s", (ip,))
            q(db, "DELETE FROM fusio_firewall WHERE ip = %s", (ip,))


# ============================================================================= through nginx (peer 127.0.0.1)
def _cases():
    a, b, c, d, e = rand4(), rand4(), rand4(), rand4("203.0.113"), rand4()
    v6 = rand6()
    return [
        ("single address", a, a),
        ("trusted hop on the right is skipped", f"{b}, 127.0.0.1", b),
        ("several trusted hops (127/8, ::1) are skipped", f"{c}, 127.0.0.1, ::1, 127.8.9.10", c),
        ("right-most untrusted wins over what the client wrote on the left", f"{d}, {e}", e),
        ("no spaces after commas", f"{d},{e},127.0.0.1", e),
        ("spaces around commas are trimmed", f"{d}  ,   {a}  ,  127.0.0.1", a),
        ("IPv6", v6, v6),
        ("IPv6 followed by a trusted ::1", f"{v6}, ::1", v6),
        ("IPv4-mapped loopback counts as trusted", f"{b}, ::ffff:127.0.0.1", b),
        ("full-length IPv6 is stored in canonical form", "2001:0db8:00c1:0000:0000:0000:0000:00ab", "2001:db8:c1::ab"),
        ("upper-case IPv6 is stored in canonical form", "2001:DB8:C1:0::AB", "2001:db8:c1::ab"),
        ("long IPv4-mapped spelling is stored in canonical form", "0:0:0:0:0:ffff:198.51.100.7", "::ffff:198.51.100.7"),
        ("only trusted addresses", "127.0.0.1, ::1", LOCAL),
        ("not an address", "garbage", LOCAL),
        ("the word unknown", "unknown", LOCAL),
        ("right-most element invalid", f"{a}, garbage", LOCAL),
        ("address with port", f"{a}:8080", LOCAL),
        ("bracketed IPv6", f"[{v6}]", LOCAL),
        ("IPv6 with zone index", f"{v6}%eth0", LOCAL),
        ("octet out of range", "198.51.100.256", LOCAL),
        ("three-part IPv4", "198.51.100", LOCAL),
        ("empty header", "", LOCAL),
        ("no header", None, LOCAL),
    ]


CASES = _cases()


@pytest.mark.webserver
@pytest.mark.parametrize("label,forwarded,expected", CASES, ids=[c[0] for c in CASES])
def test_token_row_records_the_resolved_client(label, forwarded, expected, token_url, db, app):
    ip = row_ip(db, issue(token_url, app, forwarded))
    assert ip == expected, f"X-Forwarded-For {forwarded!r}: fusio_token.ip {ip!r}, expected {expected!r}"


def test_long_forwarded_lists_never_reach_a_row_verbatim(base_url, token_url, db, app):
    """A list far longer than VARCHAR(40) (fusio_token) / VARCHAR(39) (fusio_firewall_log): PHP would store it
    verbatim and fail in strict mode (§6.3); here only the resolved address is stored."""
    client = rand4("203.0.113")
    hops = ", ".join(f"198.51.100.{i}" for i in range(1, 61))
    lists = {
        f"{hops}, {client}": client,
        f"{hops}, {client}, 127.0.0.1, 127.0.0.2": client,
        ", ".join(["garbage"] * 40): LOCAL,
        ", ".join(["not-an-address-" + "x" * 40] * 3): LOCAL,
    }
    try:
        for forwarded, expected in lists.items():
            assert len(forwarded) > 40
            ip = row_ip(db, issue(token_url, app, forwarded))
            assert ip == expected, f"{forwarded[:60]!r}...: fusio_token.ip {ip!r}"
            # and the firewall counts the same client (a 404 is logged under the resolved address)
            r = requests.get(base_url + "/client-ip-nowhere", headers={"User-Agent": UA, "X-Forwarded-For": forwarded},
                             timeout=20)
            assert r.status_code == 404, r.text[:300]
            if expected != LOCAL:
                rows = q(db, "SELECT ip FROM fusio_firewall_log WHERE ip = %s", (expected,))
                assert rows, f"the 404 of {expected} was not logged under the resolved address"
            bad = q(db, "SELECT ip FROM fusio_firewall_log WHERE ip LIKE %s OR ip LIKE %s OR ip LIKE %s",
                    ("%,%", "%garbage%", "not-an-address%"))
            assert bad == [], f"raw header strings in fusio_firewall_log: {bad}"
    finally:
        cleanup_ips(db, client)


def _long_form() -> tuple[str, str]:
    """`0000:0000:0000:0000:0000:ffff:203.0.113.N` is a valid IPv6 address (inet_pton accepts it) of 41-43
    characters: longer than fusio_token.ip (VARCHAR(40)) and fusio_firewall_log.ip (VARCHAR(39)). Its canonical
    text `::ffff:203.0.113.N` fits."""
    octet = random.randint(1, 254)
    longform = f"0000:0000:0000:0000:0000:ffff:203.0.113.{octet}"
    assert len(longform) > 40
    return longform, f"::ffff:203.0.113.{octet}"


def test_valid_address_longer_than_the_token_column(token_url, db, app):
    """A valid address that does not fit fusio_token.ip must not fail the token request (strict mode rejects the
    insert): it has to be stored in a form that fits."""
    longform, canonical = _long_form()
    r = token_request(token_url, {"grant_type": "client_credentials", "scope": "authorization"},
                      auth=(app.key, app.secret), headers={"User-Agent": UA, "X-Forwarded-For": longform})
    assert r.status_code == 200, (f"X-Forwarded-For {longform!r} (a valid address, {len(longform)} characters): "
                                  f"HTTP {r.status_code} {r.text[:300]}")
    ip = row_ip(db, r.json()["access_token"])
    assert ip == canonical, f"fusio_token.ip {ip!r}"


def test_valid_address_longer_than_the_firewall_column_is_still_counted(base_url, db):
    """The firewall must not silently lose the client errors of such an address (the log insert failing in
    strict mode would let that client err without ever being banned)."""
    longform, canonical = _long_form()
    log_path = Path(env("FA_SERVER_LOG"))
    before = log_path.read_text(errors="replace").count("firewall log failed")
    try:
        r = requests.get(base_url + "/client-ip-nowhere", headers={"User-Agent": UA, "X-Forwarded-For": longform},
                         timeout=20)
        assert r.status_code == 404, r.text[:300]
        failures = log_path.read_text(errors="replace").count("firewall log failed") - before
        assert failures == 0, (f"X-Forwarded-For {longform!r}: the server could not write its fusio_firewall_log row "
                               f"({failures} 'firewall log failed' warning(s) in {log_path})")
        logged = q(db, "SELECT ip, response_code FROM fusio_firewall_log WHERE ip = %s", (canonical,))
        assert logged == [{"ip": canonical, "response_code": 404}], logged
    finally:
        cleanup_ips(db, canonical)


def test_firewall_log_uses_the_resolved_client(base_url, db):
    client = rand4("203.0.113")
    try:
        r = requests.get(base_url + "/client-ip-nowhere",
                         headers={"User-Agent": UA, "X-Forwarded-For": f"192.0.2.1, {client}, 127.0.0.1"}, timeout=20)
        assert r.status_code == 404
        rows = q(db, "SELECT * FROM fusio_firewall_log WHERE ip = %s", (client,))
        assert len(rows) == 1 and rows[0]["response_code"] == 404, rows
        assert q(db, "SELECT id FROM fusio_firewall_log WHERE ip = '192.0.2.1'") == [], \
            "the client-written left part of the list was used"
    finally:
        cleanup_ips(db, client)


def test_consumer_login_records_the_resolved_client(base_url, db, owner):
    client = rand6()
    r = requests.post(base_url + "/consumer/login", json={"username": owner.name, "password": owner.password},
                      headers={"User-Agent": UA, "X-Forwarded-For": f"{client}, 127.0.0.1"}, timeout=20)
    assert r.status_code == 200, r.text[:300]
    assert row_ip(db, r.json()["token"]) == client


# ============================================================================= FastCGI directly (any peer)
def _nv_len(n: int) -> bytes:
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def _record(rtype: int, content: bytes, request_id: int = 1) -> bytes:
    out = b""
    chunks = [content[i:i + 65535] for i in range(0, len(content), 65535)] or [b""]
    for c in chunks:
        pad = (-len(c)) % 8
        out += struct.pack("!BBHHBB", 1, rtype, request_id, len(c), pad, 0) + c + b"\0" * pad
    return out


def fcgi(sock_path: str, method: str, uri: str, remote_addr: str, headers: dict[str, str] | None = None,
         body: bytes = b"", content_type: str | None = None, timeout: float = 20) -> tuple[int, dict, bytes]:
    """One FastCGI request (RESPONDER role) as nginx would send it, with our own REMOTE_ADDR."""
    path, _, query = uri.partition("?")
    params = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "SCRIPT_NAME": path, "DOCUMENT_URI": path,
              "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
              "REMOTE_ADDR": remote_addr, "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "80",
              "SERVER_NAME": "localhost", "CONTENT_LENGTH": str(len(body)) if body else ""}
    if content_type:
        params["CONTENT_TYPE"] = content_type
    for k, v in (headers or {}).items():
        params["HTTP_" + k.upper().replace("-", "_")] = v
    pairs = b"".join(_nv_len(len(k.encode())) + _nv_len(len(v.encode())) + k.encode() + v.encode()
                     for k, v in params.items())
    msg = (_record(1, struct.pack("!HB5x", 1, 0)) + _record(4, pairs) + _record(4, b"")
           + (_record(5, body) if body else b"") + _record(5, b""))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(msg)
        buf, stdout, ended = b"", b"", False
        while not ended:
            data = s.recv(65536)
            if not data:
                break
            buf += data
            while len(buf) >= 8:
                _, rtype, _, clen, plen, _ = struct.unpack("!BBHHBB", buf[:8])
                if len(buf) < 8 + clen + plen:
                    break
                content, buf = buf[8:8 + clen], buf[8 + clen + plen:]
                if rtype == 6:
                    stdout += content
                elif rtype == 3:
                    ended = True
                    break
    assert ended, f"no FCGI_END_REQUEST; got {stdout[:300]!r}"
    head, _, payload = stdout.partition(b"\r\n\r\n")
    hdrs = {}
    for line in head.decode("latin-1").split("\r\n"):
        if ":" in line:
            k, v = line.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
    status = int(hdrs.get("status", "200").split()[0])
    return status, hdrs, payload


class Direct:
    """A private `fusio-auth serve` on its own unix socket (same env file and database), no nginx."""

    def __init__(self):
        self.dir = Path(env("FA_RUN_DIR")) / f"cip-{os.getpid()}-{random.randint(0, 9999)}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sock = str(self.dir / "fa.sock")
        assert len(self.sock) < 107, self.sock
        self.log = open(self.dir / "server.log", "ab")
        self.proc = subprocess.Popen([env("FA_BIN"), "serve", "--env", env("FA_ENV_FILE"), "--listen",
                                      f"unix:{self.sock}", "--workers", "1", "--threads", "2"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=cli_env(),
                                     start_new_session=True)
        (self.dir / "server.pid").write_text(f"{self.proc.pid}\n")

        def healthy():
            assert self.proc.poll() is None, f"server exited with {self.proc.returncode}: {self.tail()}"
            if not os.path.exists(self.sock):
                return False
            try:
                return fcgi(self.sock, "GET", "/health", LOCAL, {"User-Agent": UA}, timeout=3)[0] == 200
            except OSError:
                return False
        wait_until(healthy, 30, interval=0.1, what="the private instance's /health over FastCGI")

    def tail(self) -> str:
        try:
            return (self.dir / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def token(self, app: App, remote_addr: str, forwarded: str | None) -> tuple[int, dict]:
        h = {"User-Agent": UA, "Authorization": "Basic " + base64.b64encode(f"{app.key}:{app.secret}".encode()).decode()}
        if forwarded is not None:
            h["X-Forwarded-For"] = forwarded
        body = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "authorization"}).encode()
        status, _, payload = fcgi(self.sock, "POST", "/authorization/token", remote_addr, h, body,
                                  "application/x-www-form-urlencoded")
        return status, json.loads(payload)

    def stop(self):
        if self.proc.poll() is None:
            terminate(self.proc.pid)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        (self.dir / "server.pid").unlink(missing_ok=True)
        self.log.close()


@pytest.fixture(scope="module")
def direct():
    d = Direct()
    yield d
    d.stop()


def test_header_is_ignored_from_an_untrusted_peer(direct, db, app):
    peer, claimed = rand4("203.0.113"), rand4()
    status, body = direct.token(app, peer, claimed)
    assert status == 200, body
    assert row_ip(db, body["access_token"]) == peer, "X-Forwarded-For was believed from an untrusted peer"
    status, body = direct.token(app, peer, None)
    assert status == 200, body
    assert row_ip(db, body["access_token"]) == peer


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1"])
def test_header_is_believed_from_every_trusted_peer(peer, direct, db, app):
    claimed = rand4()
    status, body = direct.token(app, peer, f"{claimed}, {peer}")
    assert status == 200, body
    assert row_ip(db, body["access_token"]) == claimed


@pytest.mark.parametrize("peer", ["2001:db8:c1::99", "10.0.0.1", "::ffff:203.0.113.9"])
def test_untrusted_peers_of_every_family(peer, direct, db, app):
    status, body = direct.token(app, peer, rand4())
    assert status == 200, body
    assert row_ip(db, body["access_token"]) == peer


def test_invalid_header_from_trusted_peer_falls_back_to_that_peer(direct, db, app):
    status, body = direct.token(app, "127.0.0.2", "garbage")
    assert status == 200, body
    assert row_ip(db, body["access_token"]) == "127.0.0.2"


def test_untrusted_peer_is_the_firewall_identity(direct, db, app):
    """The firewall blocks the peer address when the header is not believed; the header cannot unblock it."""
    peer = rand4("203.0.113")
    q(db, "INSERT INTO fusio_firewall (tenant_id, status, name, type, ip, expire, metadata) "
          "VALUES (NULL, 1, %s, 0, %s, UTC_TIMESTAMP() + INTERVAL 5 MINUTE, NULL)",
      (f"cip-{peer.replace('.', '-')}-{random.randint(0, 10**9)}", peer))
    try:
        def refused():
            status, body = direct.token(app, peer, rand4())
            return status == 400 and body.get("error_description", "").startswith("Your IP has sent")
        wait_until(refused, 5, interval=0.05, what=f"the ban of {peer} to take effect")
        # the same peer address in the header of a trusted proxy is blocked too
        status, body = direct.token(app, "127.0.0.1", peer)
        deadline = time.monotonic() + 5
        while status == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            status, body = direct.token(app, "127.0.0.1", peer)
        assert status == 400 and body == {"error": "invalid_request",
                                          "error_description": "Your IP has sent to many requests please try again later"}, body
    finally:
        cleanup_ips(db, peer)
