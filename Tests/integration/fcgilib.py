"""A minimal raw FastCGI 1.0 client for the integration tests (not a test module).

It talks straight to the server's socket (FA_SOCKET: a unix socket path, or HOST:PORT), bypassing nginx, so
tests can send what a web server may send but nginx never does in a given order: several requests on one kept
connection, interleaved (multiplexed) requests, FCGI_ABORT_REQUEST, FCGI_GET_VALUES, unknown record types,
bodies over the server's limit.

    with Connection() as c:                                  # FA_SOCKET
        r = c.request("GET", "/health")                      # FCGI_KEEP_CONN set, request id 1
        assert r.status == 200 and r.json()["status"] == "ok"
        c.get_values([MAX_CONNS, MAX_REQS, MPXS_CONNS])      # -> {name: value}

Records are built with `record()` / `begin_request()` / `params_records()` / `stdin_records()` when a test
needs to send them in an unusual order, and read one by one with `Connection.read_record()`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import socket
import struct
import time

VERSION = 1
BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR, DATA = range(1, 9)
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
TYPE_NAMES = {1: "BEGIN_REQUEST", 2: "ABORT_REQUEST", 3: "END_REQUEST", 4: "PARAMS", 5: "STDIN", 6: "STDOUT",
              7: "STDERR", 8: "DATA", 9: "GET_VALUES", 10: "GET_VALUES_RESULT", 11: "UNKNOWN_TYPE"}
RESPONDER, AUTHORIZER, FILTER = 1, 2, 3
KEEP_CONN = 1
# protocolStatus of FCGI_END_REQUEST
REQUEST_COMPLETE, CANT_MPX_CONN, OVERLOADED, UNKNOWN_ROLE = 0, 1, 2, 3
# the variables of FCGI_GET_VALUES
MAX_CONNS, MAX_REQS, MPXS_CONNS = b"FCGI_MAX_CONNS", b"FCGI_MAX_REQS", b"FCGI_MPXS_CONNS"
MAX_CONTENT = 65535


# ----------------------------------------------------------------------------------------------- encoding
def record(rtype: int, request_id: int, content: bytes = b"", padding: int = 0) -> bytes:
    assert len(content) <= MAX_CONTENT, f"record content of {len(content)} bytes"
    return struct.pack(">BBHHBB", VERSION, rtype, request_id, len(content), padding, 0) + content + b"\0" * padding


def begin_request(request_id: int, keep_conn: bool = True, role: int = RESPONDER) -> bytes:
    return record(BEGIN_REQUEST, request_id, struct.pack(">HB5x", role, KEEP_CONN if keep_conn else 0))


def abort_request(request_id: int) -> bytes:
    return record(ABORT_REQUEST, request_id)


def _length(n: int) -> bytes:
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def encode_pairs(pairs) -> bytes:
    """Name-value pairs (spec §3.4) from a dict or a list of (name, value), str (UTF-8) or bytes."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    out = bytearray()
    for name, value in items:
        n = name.encode() if isinstance(name, str) else name
        v = value.encode() if isinstance(value, str) else value
        out += _length(len(n)) + _length(len(v)) + n + v
    return bytes(out)


def decode_pairs(data: bytes) -> list[tuple[bytes, bytes]]:
    out, i = [], 0

    def length() -> int:
        nonlocal i
        if data[i] < 128:
            i += 1
            return data[i - 1]
        value = struct.unpack(">I", data[i:i + 4])[0] & 0x7FFFFFFF
        i += 4
        return value

    while i < len(data):
        nl = length()
        vl = length()
        out.append((data[i:i + nl], data[i + nl:i + nl + vl]))
        i += nl + vl
    return out


def stream_records(rtype: int, request_id: int, data: bytes, chunk: int = MAX_CONTENT, end: bool = True) -> bytes:
    """`data` as records of at most `chunk` bytes, then (if `end`) the empty record that closes the stream."""
    out = bytearray()
    for i in range(0, len(data), chunk):
        out += record(rtype, request_id, data[i:i + chunk])
    if end:
        out += record(rtype, request_id)
    return bytes(out)


def params_records(request_id: int, params, end: bool = True) -> bytes:
    return stream_records(PARAMS, request_id, encode_pairs(params), end=end)


def stdin_records(request_id: int, body: bytes, end: bool = True) -> bytes:
    return stream_records(STDIN, request_id, body, end=end)


def cgi_params(method: str, uri: str, headers: dict | None = None, body: bytes = b"",
               content_type: str | None = None, remote_addr: str = "127.0.0.1") -> list[tuple[str, str]]:
    """The parameters nginx's fastcgi_params would send for this request (HTTP_* from `headers`)."""
    path, _, query = uri.partition("?")
    params = [("QUERY_STRING", query), ("REQUEST_METHOD", method), ("CONTENT_TYPE", content_type or ""),
              ("CONTENT_LENGTH", str(len(body)) if body else ""), ("SCRIPT_NAME", path), ("REQUEST_URI", uri),
              ("DOCUMENT_URI", path), ("SERVER_PROTOCOL", "HTTP/1.1"), ("REQUEST_SCHEME", "http"),
              ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_SOFTWARE", "fcgilib"), ("REMOTE_ADDR", remote_addr),
              ("REMOTE_PORT", "40000"), ("SERVER_ADDR", "127.0.0.1"), ("SERVER_PORT", "80"),
              ("SERVER_NAME", "localhost"), ("HTTP_HOST", "127.0.0.1")]
    for name, value in (headers or {}).items():
        params.append(("HTTP_" + name.upper().replace("-", "_"), value))
    return params


def request_bytes(request_id: int, method: str, uri: str, headers: dict | None = None, body: bytes = b"",
                  content_type: str | None = None, keep_conn: bool = True) -> bytes:
    """A complete request: BEGIN_REQUEST, PARAMS (ended), STDIN (ended)."""
    return (begin_request(request_id, keep_conn) + params_records(request_id, cgi_params(method, uri, headers, body, content_type))
            + stdin_records(request_id, body))


def form_request_bytes(request_id: int, uri: str, fields: dict, headers: dict | None = None,
                       keep_conn: bool = True) -> bytes:
    import urllib.parse
    body = urllib.parse.urlencode(fields).encode()
    return request_bytes(request_id, "POST", uri, headers, body, "application/x-www-form-urlencoded", keep_conn)


# ----------------------------------------------------------------------------------------------- decoding
@dataclasses.dataclass
class Record:
    type: int
    request_id: int
    content: bytes

    def __repr__(self) -> str:
        return f"Record({TYPE_NAMES.get(self.type, self.type)}, id={self.request_id}, {self.content[:60]!r})"


@dataclasses.dataclass
class Response:
    """Everything one request id received, up to and including its FCGI_END_REQUEST."""
    request_id: int
    stdout: bytes = b""
    stderr: bytes = b""
    records: list = dataclasses.field(default_factory=list)
    ended: bool = False
    app_status: int | None = None
    protocol_status: int | None = None

    def _split(self) -> tuple[bytes, bytes]:
        head, sep, body = self.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = self.stdout.partition(b"\n\n")
        return head, body

    @property
    def status(self) -> int | None:
        """The CGI `Status:` (200 when the application sent output without one), None without output."""
        if not self.stdout:
            return None
        value = self.headers.get("status")
        return int(value.split()[0]) if value else 200

    @property
    def headers(self) -> dict[str, str]:
        head, _ = self._split()
        out: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip().lower()] = v.strip()
        return out

    @property
    def body(self) -> bytes:
        return self._split()[1]

    def json(self):
        return json.loads(self.body)

    def describe(self) -> str:
        return (f"id {self.request_id}: status {self.status}, protocol_status {self.protocol_status}, "
                f"stdout {self.stdout[:300]!r}")


class ConnectionClosed(Exception):
    """The server closed the connection (EOF) while a record was expected."""


def socket_address() -> str:
    value = os.environ.get("FA_SOCKET")
    if not value:
        raise RuntimeError("FA_SOCKET is not set: run the integration tests through scripts/test")
    return value


def connect(address: str | None = None, timeout: float = 20.0) -> socket.socket:
    address = address or socket_address()
    if address.startswith("unix:"):
        address = address[5:]
    if address.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(address)
    else:
        host, _, port = address.rpartition(":")
        s = socket.create_connection((host, int(port)), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Connection:
    """One FastCGI connection. Records of other request ids that arrive while one response is awaited are
    kept for `response()` of that id (multiplexing); management records (id 0) are kept in `management`."""

    def __init__(self, address: str | None = None, timeout: float = 20.0, sock: socket.socket | None = None):
        self.sock = sock or connect(address, timeout)
        self.timeout = timeout
        self.buffer = bytearray()
        self.responses: dict[int, Response] = {}
        self.management: list[Record] = []

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    # ---------------------------------------------------------------- reading
    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("no record before the deadline")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionClosed(f"EOF with {len(self.buffer)} bytes of an incomplete record buffered")
        self.buffer += chunk

    def read_record(self, timeout: float | None = None) -> Record:
        """The next record from the socket (raises ConnectionClosed on EOF, socket.timeout after `timeout`)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.buffer) < 8:
            self._fill(deadline)
        version, rtype, rid, clen, plen, _ = struct.unpack(">BBHHBB", self.buffer[:8])
        assert version == VERSION, f"record version {version}: {bytes(self.buffer[:16])!r}"
        while len(self.buffer) < 8 + clen + plen:
            self._fill(deadline)
        content = bytes(self.buffer[8:8 + clen])
        del self.buffer[:8 + clen + plen]
        return Record(rtype, rid, content)

    def _file(self, rec: Record) -> None:
        if rec.request_id == 0:
            self.management.append(rec)
            return
        resp = self.responses.setdefault(rec.request_id, Response(rec.request_id))
        assert not resp.ended, f"record after END_REQUEST of request {rec.request_id}: {rec}"
        resp.records.append(rec)
        if rec.type == STDOUT:
            resp.stdout += rec.content
        elif rec.type == STDERR:
            resp.stderr += rec.content
        elif rec.type == END_REQUEST:
            resp.app_status, resp.protocol_status = struct.unpack(">IB3x", rec.content[:8])
            resp.ended = True

    def pump(self, timeout: float | None = None) -> Record:
        """Reads one record and files it (under its request id, or in `management`)."""
        rec = self.read_record(timeout)
        self._file(rec)
        return rec

    def response(self, request_id: int, timeout: float | None = None) -> Response:
        """Reads until request `request_id` has its END_REQUEST; returns (and forgets) what it received."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not (request_id in self.responses and self.responses[request_id].ended):
            self.pump(max(0.001, deadline - time.monotonic()))
        return self.responses.pop(request_id)

    def management_record(self, timeout: float | None = None) -> Record:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.management:
            self.pump(max(0.001, deadline - time.monotonic()))
        return self.management.pop(0)

    # ---------------------------------------------------------------- requests
    def request(self, method: str, uri: str, headers: dict | None = None, body: bytes = b"",
                content_type: str | None = None, request_id: int = 1, keep_conn: bool = True,
                timeout: float | None = None) -> Response:
        self.send(request_bytes(request_id, method, uri, headers, body, content_type, keep_conn))
        return self.response(request_id, timeout)

    def post_form(self, uri: str, fields: dict, headers: dict | None = None, request_id: int = 1,
                  keep_conn: bool = True, timeout: float | None = None) -> Response:
        self.send(form_request_bytes(request_id, uri, fields, headers, keep_conn))
        return self.response(request_id, timeout)

    def get_values(self, names: list[bytes], timeout: float | None = None) -> tuple[Record, dict[bytes, bytes]]:
        """FCGI_GET_VALUES for `names`; returns the result record and its pairs."""
        self.send(record(GET_VALUES, 0, encode_pairs([(n, b"") for n in names])))
        rec = self.management_record(timeout)
        assert rec.type == GET_VALUES_RESULT, f"expected GET_VALUES_RESULT, got {rec}"
        return rec, dict(decode_pairs(rec.content))

    # ---------------------------------------------------------------- connection state
    def eof_pending(self) -> bool:
        """True if the peer has closed the connection (EOF readable now, after any buffered data), without
        waiting: False means it is open and has nothing to say."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return False
        try:
            data = self.sock.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except ConnectionResetError:
            return True
        return data == b""

    def wait_closed(self, timeout: float) -> bool:
        """Reads (and discards) until EOF; True if the peer closed within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                if not self.sock.recv(65536):
                    return True
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
        return False


def basic(user: str, password: str) -> str:
    import base64
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
