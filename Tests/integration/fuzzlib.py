"""Raw HTTP/1.1 client, request generator and response checks of the HTTP fuzz test (test_fuzz.py) and the
outage test (test_zz_db_outage.py). Not a test module.

Requests are written to the socket byte for byte (so methods, targets, header bytes and framing can be broken
as a client may break them) and the answer is read with http.client's response parser. nginx answers some
requests itself (oversized headers, bad framing, bodies over 64 KiB); those are recognised by nginx's HTML
error page or its JSON 413 from `@fusio_auth_413`.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import hashlib
import hmac
import http.client
import json
import random
import re
import socket
import threading
import time
import urllib.parse
from collections import deque
from pathlib import Path

import requests

ENDPOINTS = [
    "/authorization/token", "/authorization/authorize", "/authorization/revoke", "/authorization/introspect",
    "/authorization/whoami", "/consumer/login", "/consumer/authorize", "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource", "/health",
]
UNKNOWN_PATHS = [
    "/", "/authorization", "/authorization/", "/authorization/token/", "/AUTHORIZATION/TOKEN", "/authorization//token",
    "/authorization/token;jsessionid=1", "/consumer", "/consumer/login/", "/backend/token", "/index.php",
    "/.well-known/", "/.well-known/security.txt", "/.well-known/oauth-protected-resource/", "/healthz", "/HEALTH",
    "/%2e%2e/%2e%2e/etc/passwd", "/authorization/%74oken", "/authorization/token%00", "/%FF%FE", "/%C0%AF",
    "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "/x" * 300, "/consumer/login%2F", "/.well-known/oauth-protected-resource/a/b",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ODD_METHODS = ["TRACE", "CONNECT", "PROPFIND", "MKCOL", "FOO", "get", "Post", "X" * 40, "POST\x00", "GE T",
               "M-SEARCH", "PURGE", "LOCK", "QUERY"]
CONTENT_TYPES = [
    None, "application/x-www-form-urlencoded", "application/json", "application/json; charset=utf-8",
    "APPLICATION/JSON", "application/x-www-form-urlencoded; charset=ISO-8859-1", "text/plain", "text/html",
    "multipart/form-data; boundary=----x", "application/xml", "", " ", ";", "application/json;;;",
    "application/x-www-form-urlencoded\x00", "application/\xff\xfejson", "application/json" + " " * 500,
    "application/" + "x" * 2000, "*/*", "application/jsonp", "application/merge-patch+json",
]
INTERESTING = [
    b"\x00", b"%", b"%0", b"%G0", b"%zz", b"%00", b"%ff", b"%FF%FE", b"%C3%28", b"%C0%AF", b"%ED%A0%80",
    b"%F4%90%80%80", b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"&", b"&&", b"=", b"==",
    b"[]", b"[", b"]", b'"', b"{", b"}", b"[[", b"\\", b"\\u", b"\\ud800", b"\\udc00\\ud800", b"\\u0000", b"\r\n",
    b"\n", b"+", b" ", b"\t", b",", b":", b"null", b"true", b"1e400", b"-0", b"0x1", b"9" * 30, b"\xc2\xa0",
    b"\xe2\x80\xae", b"\xef\xbb\xbf", b"%2B", b"%26", b"%3D", b"%5B%5D",
]
# Concurrent clients. nginx's upstream has no max_conns any more (each worker's event loop holds every
# connection and queues requests), so this is no longer bounded by the pool's threads. What bounds it: requests
# that may reach a cost-12 bcrypt check (capped, see may_run_bcrypt) queue on the password lane, one thread per
# worker on a 2-core box; with 8 clients at most 7 can wait ahead of one (~0.3 s each), below the 2 s queue
# deadline (FUSIO_AUTH_QUEUE_TIMEOUT) that would answer 503.
THREADS = 8
REDIRECT = "https://fuzz.example.com/cb"
# client addresses the generator puts in X-Forwarded-For (trusted from nginx): their firewall rows are deleted after
XFF_IPS = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "2001:db8:fe::1", "10.0.0.1"]
UPSTREAM_TROUBLE = re.compile(r"upstream prematurely closed|recv\(\) failed|connect\(\) to unix|no live upstreams|"
                              r"upstream sent (invalid|unexpected|too big)|writev\(\) failed|upstream timed out")
BIG = 60 * 1024       # below nginx's and the server's 64 KiB body limit
NGINX_413 = {"error": "invalid_request", "error_description": "Request body too large"}
LEAKS = ("SQLSTATE", "SELECT ", "INSERT ", "mysql", "MariaDB", "$2y$", "Traceback", "fatal error")


# ----------------------------------------------------------------------------------------------- requests
@dataclasses.dataclass
class Req:
    kind: str                       # generator that made it (for the per-kind counts)
    method: str
    target: str                     # path and query, sent as it is (latin-1 bytes)
    headers: list                   # [(name, value)] as str (latin-1) or bytes
    body: bytes | None = None
    framing_ok: bool = True         # False: broken HTTP framing, a closed connection without answer is fine
    fresh_conn: bool = False        # send on a new connection and close it afterwards
    half_close: bool = False        # shut down the write side after sending (a client that gives up)
    raw: bytes | None = None        # bytes to send instead of the rendered request
    allow_nginx_5xx: tuple = ()     # nginx's own 5xx that this request may provoke (e.g. 501 for a transfer coding)
    mutable: bool = True            # False: the generic mutations would break its framing (chunked bodies)

    @property
    def path(self) -> str:
        target = self.target
        if self.raw is not None:   # the target of the raw request line, absolute-form reduced to its path
            m = re.match(rb"[^ \r\n]+ +([^ \r\n]+)", self.raw)
            target = m.group(1).decode("latin-1") if m else ""
            target = re.sub(r"^[a-z]+://[^/]*", "", target)
        return target.split("?", 1)[0].split("#", 1)[0]

    def render(self, host: str) -> bytes:
        if self.raw is not None:
            return self.raw
        cached = self.__dict__.get("_rendered")
        if cached is not None and cached[0] == host:
            return cached[1]
        data = self._render(host)
        self.__dict__["_rendered"] = (host, data)
        return data

    def _render(self, host: str) -> bytes:
        out = bytearray()
        out += _b(self.method) + b" " + _b(self.target) + b" HTTP/1.1\r\n"
        names = {(_b(n)).lower() for n, _ in self.headers}
        if b"host" not in names and b"\x00nohost" not in names:
            out += b"Host: " + host.encode() + b"\r\n"
        for n, v in self.headers:
            if _b(n) == b"\x00nohost":
                continue
            out += _b(n) + b": " + _b(v) + b"\r\n"
        if self.body is not None and b"content-length" not in names and b"transfer-encoding" not in names:
            out += b"Content-Length: " + str(len(self.body)).encode() + b"\r\n"
        out += b"\r\n"
        if self.body is not None:
            out += self.body
        return bytes(out)

    def copy(self) -> "Req":
        import copy
        c = copy.deepcopy(self)
        c.__dict__.pop("_rendered", None)
        return c

    def describe(self, limit: int = 600) -> str:
        text = repr(self.render("127.0.0.1"))
        return text if len(text) <= limit else text[:limit] + f"... ({len(self.render('127.0.0.1'))} bytes)"


def _b(x) -> bytes:
    """str to bytes: latin-1 when possible (one byte per character, so "\xff" stays one raw byte), else UTF-8."""
    if isinstance(x, bytes):
        return x
    try:
        return x.encode("latin-1")
    except UnicodeEncodeError:
        return x.encode("utf-8", "surrogatepass")


@dataclasses.dataclass
class Resp:
    status: int | None              # None: no answer (connection closed or reset, or timeout)
    headers: dict
    body: bytes
    error: str = ""                 # why there was no answer
    seconds: float = 0.0


# ----------------------------------------------------------------------------------------------- client
class Client:
    """One keep-alive connection to nginx, re-opened when the server closes it."""

    def __init__(self, host: str, port: int, timeout: float = 20.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _connect(self) -> socket.socket:
        s = socket.create_connection((self.host, self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def send(self, req: Req) -> Resp:
        data = req.render(f"{self.host}:{self.port}")
        t0 = time.monotonic()
        if req.fresh_conn or req.half_close or req.raw is not None:
            sock = self._connect()
            try:
                return self._exchange(sock, data, req, t0)
            finally:
                sock.close()
        for attempt in (0, 1):
            reused = self.sock is not None
            if self.sock is None:
                self.sock = self._connect()
            resp = self._exchange(self.sock, data, req, t0)
            if resp.status is None or resp.headers.get("connection", "").lower() == "close" or resp.error:
                self.close()
            # a kept connection that nginx closed just before our request: send again on a new one
            if resp.status is None and reused and attempt == 0 and resp.error in ("closed", "reset", "pipe"):
                continue
            return resp
        raise AssertionError("unreachable")

    def _exchange(self, sock: socket.socket, data: bytes, req: Req, t0: float) -> Resp:
        try:
            sock.sendall(data)
            if req.half_close:
                sock.shutdown(socket.SHUT_WR)
        except BrokenPipeError:
            return Resp(None, {}, b"", "pipe", time.monotonic() - t0)
        except ConnectionResetError:
            return Resp(None, {}, b"", "reset", time.monotonic() - t0)
        except OSError as e:
            return Resp(None, {}, b"", f"send: {e}", time.monotonic() - t0)
        method = req.method if req.raw is None else "GET"
        r = http.client.HTTPResponse(sock, method=method)
        try:
            r.begin()
            body = r.read()
            headers = {k.lower(): v for k, v in r.getheaders()}
            if r.will_close:
                headers.setdefault("connection", "close")
            return Resp(r.status, headers, body, "", time.monotonic() - t0)
        except socket.timeout:
            return Resp(None, {}, b"", "timeout", time.monotonic() - t0)
        except (http.client.RemoteDisconnected, http.client.IncompleteRead):
            return Resp(None, {}, b"", "closed", time.monotonic() - t0)
        except ConnectionResetError:
            return Resp(None, {}, b"", "reset", time.monotonic() - t0)
        except (http.client.HTTPException, OSError, ValueError) as e:
            return Resp(None, {}, b"", f"{type(e).__name__}: {e}"[:200], time.monotonic() - t0)
        finally:
            r.close()


# ----------------------------------------------------------------------------------------------- checks
def from_nginx(resp: Resp, method: str = "GET") -> bool:
    """An answer nginx made itself: its HTML error page (for HEAD: HTML without the consent page's CSP header),
    or the JSON 413 of @fusio_auth_413."""
    if resp.headers.get("server", "").startswith("nginx"):
        if b"<center>nginx</center>" in resp.body:
            return True
        if method == "HEAD" and not resp.body and resp.headers.get("content-type", "").startswith("text/html") \
                and "content-security-policy" not in resp.headers:
            return True
    if resp.status == 413:
        try:
            return json.loads(resp.body) == NGINX_413
        except ValueError:
            return False
    return False


def problems(req: Req, resp: Resp, allow_503: bool = False) -> list[str]:
    """What is wrong with this answer; empty when it is acceptable."""
    if resp.status is None:
        if resp.error == "timeout":
            return [f"no answer within the timeout ({resp.seconds:.1f}s)"]
        if not req.framing_ok or req.half_close:
            return []
        return [f"no answer: {resp.error}"]
    st = resp.status
    nginx = from_nginx(resp, req.method if req.raw is None else "GET")
    if st >= 500:
        if allow_503 and st == 503 and not nginx:
            return _check_json_error(req, resp)
        if nginx and st in req.allow_nginx_5xx:
            return []
        return [f"HTTP {st}" + (" (nginx)" if nginx else "") + f": {resp.body[:300]!r}"]
    if 400 <= st < 500:
        if nginx:
            return []
        return _check_json_error(req, resp)
    return []


def _check_json_error(req: Req, resp: Resp) -> list[str]:
    ctype = resp.headers.get("content-type", "")
    out = []
    text = resp.body.decode("utf-8", "replace")
    for bad in LEAKS:
        if bad.lower() in text.lower():
            out.append(f"HTTP {resp.status} body mentions {bad!r}: {text[:300]!r}")
    if req.method == "HEAD":
        if not (ctype.startswith("application/json") or ctype.startswith("text/html")):
            out.append(f"HTTP {resp.status} to HEAD with Content-Type {ctype!r}")
        return out
    if req.path == "/authorization/authorize" and ctype.startswith("text/html"):
        if b"<html" not in resp.body.lower():
            out.append(f"HTTP {resp.status} HTML page without <html>: {resp.body[:200]!r}")
        return out
    if not ctype.startswith("application/json"):
        return out + [f"HTTP {resp.status} with Content-Type {ctype!r}: {resp.body[:200]!r}"]
    try:
        body = json.loads(resp.body)
    except ValueError:
        return out + [f"HTTP {resp.status} body is not JSON: {resp.body[:200]!r}"]
    oauth = isinstance(body, dict) and isinstance(body.get("error"), str) and isinstance(body.get("error_description"), str)
    generic = isinstance(body, dict) and body.get("success") is False and isinstance(body.get("message"), str)
    health = req.path == "/health" and isinstance(body, dict) and body.get("status") == "unavailable"
    if not (oauth or generic or health):
        out.append(f"HTTP {resp.status} JSON is neither an OAuth nor a generic error: {resp.body[:200]!r}")
    return out


# ----------------------------------------------------------------------------------------------- state
class State:
    """What the generator needs to build valid requests, refreshed from the answers (tokens rotate)."""

    def __init__(self, *, app_key: str, app_secret: str, user_name: str, user_email: str, user_password: str,
                 other_app_key: str, other_app_secret: str, project_key: bytes, app_url: str, redirect_uri: str,
                 scope_ids: dict, codes: list, pkce_codes: list, csrf_query: str, csrf: str):
        self.app_key, self.app_secret = app_key, app_secret
        self.user_name, self.user_email, self.user_password = user_name, user_email, user_password
        self.other_app_key, self.other_app_secret = other_app_key, other_app_secret
        self.project_key, self.app_url, self.redirect_uri = project_key, app_url, redirect_uri
        self.scope_ids = scope_ids
        self.codes = list(codes)
        self.pkce_codes = list(pkce_codes)          # [(code, verifier, method)]
        self.csrf_query, self.csrf = csrf_query, csrf
        self.lock = threading.Lock()
        self.access = deque(maxlen=64)              # app tokens (client_credentials, password, code)
        self.refresh = deque(maxlen=64)             # their refresh tokens
        self.consumer_access = deque(maxlen=32)     # /consumer/login tokens (no app)
        self.consumer_refresh = deque(maxlen=32)
        self.appless_refresh = set()                # refresh tokens whose row has no app (user credentials)
        self.cheap_logins = {_norm(user_name), _norm(user_email)}
        self.expensive = 0                          # requests that may run a cost-12 bcrypt check

    def learn(self, req: Req, resp: Resp) -> None:
        if resp.status != 200 or not resp.headers.get("content-type", "").startswith("application/json"):
            return
        try:
            body = json.loads(resp.body)
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        with self.lock:
            if req.path == "/authorization/token" and isinstance(body.get("access_token"), str):
                self.access.append(body["access_token"])
                if isinstance(body.get("refresh_token"), str):
                    self.refresh.append(body["refresh_token"])
                    if _jwt_aud(body["access_token"]) is None:
                        self.appless_refresh.add(body["refresh_token"])
            elif req.path == "/consumer/login" and isinstance(body.get("token"), str):
                self.consumer_access.append(body["token"])
                if isinstance(body.get("refresh_token"), str):
                    self.consumer_refresh.append(body["refresh_token"])
                    self.appless_refresh.add(body["refresh_token"])

    def pick(self, rng: random.Random, which: str) -> str:
        with self.lock:
            pool = list(getattr(self, which))
        return rng.choice(pool) if pool else "0" * 20 + "-" + "0" * 48 + "-" + "0" * 10


def _jwt_aud(token: str):
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("aud")
    except (ValueError, IndexError, AttributeError):
        return None


def _norm(login: str) -> str:
    """How the login column's collation (utf8mb4_unicode_ci, PAD SPACE) roughly compares."""
    return login.casefold().rstrip(" ")


# ----------------------------------------------------------------------------------------------- bcrypt guard
def _php_b64(value: bytes) -> bytes:
    """PHP base64_decode without strict: foreign characters skipped, leftover bits dropped."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    table = {c: i for i, c in enumerate(alphabet)}
    acc = bits = 0
    out = bytearray()
    for c in value:
        if c not in table:
            continue
        acc = (acc << 6) | table[c]
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
            acc &= (1 << bits) - 1
    return bytes(out)


def _basics(req: Req) -> list:
    """Every (id, secret) an Authorization: Basic header of the request could give (nginx passes duplicates on)."""
    out = []
    for n, v in req.headers:
        if _b(n).lower() == b"authorization":
            v = _b(v)
            if v.startswith(b"Basic "):
                raw = _php_b64(v[6:])
                if b":" in raw:
                    i, s = raw.split(b":", 1)
                    try:
                        out.append((i.decode(), s.decode()))
                    except UnicodeDecodeError:
                        pass
    return out


def _params(body: bytes | None) -> list[dict]:
    """Every reading of the body a server could make (form and JSON), leniently: more than the server accepts."""
    readings = []
    if body:
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8", "surrogateescape"), keep_blank_values=True)
            d: dict = {}
            for k, v in pairs:
                d.setdefault(k.removesuffix("[]"), []).append(v)
            readings.append({k: v for k, v in d.items()})
        except ValueError:
            pass
        try:
            doc = json.loads(body.decode("utf-8", "surrogateescape"))
            if isinstance(doc, dict):
                readings.append({k: [v if isinstance(v, str) else ("1" if v is True else "" if v is False else str(v))]
                                 for k, v in doc.items()})
        except (ValueError, RecursionError):
            pass
    return readings or [{}]


def may_run_bcrypt(req: Req, state: State) -> bool:
    """Conservatively: could this request make the server verify a password against a cost-12 hash (an
    unknown login runs the dummy hash)? The fuzz user's hash has cost 4, so its logins are cheap."""
    if req.raw is not None or req.method not in ("POST", "PUT") or not req.body:
        return False
    path = req.path
    basics = _basics(req)

    def expensive_login(login: str, password: str) -> bool:
        return bool(login) and password not in ("", "0") and _norm(login) not in state.cheap_logins

    def is_app(cid: str, secret: str) -> bool:
        return _norm(cid) == _norm(state.app_key) and secret == state.app_secret or \
            _norm(cid) == _norm(state.other_app_key) and secret == state.other_app_secret

    for p in _params(req.body):
        get = lambda k: [v for v in p.get(k, []) if isinstance(v, str)]
        if path == "/authorization/token":
            creds = basics + [(i, s) for i in get("client_id") for s in get("client_secret")]
            grants = set(get("grant_type"))
            if "client_credentials" in grants or not grants:
                if any(expensive_login(i, s) and not is_app(i, s) for i, s in creds):
                    return True
            if "password" in grants and any(is_app(i, s) for i, s in creds):
                if any(expensive_login(u, pw) for u in get("username") for pw in get("password")):
                    return True
            if "refresh_token" in grants and any(t in state.appless_refresh for t in get("refresh_token")):
                if any(expensive_login(i, s) for i, s in creds):
                    return True
        elif path == "/consumer/login" and req.method == "POST":
            if any(expensive_login(u, pw) for u in get("username") for pw in get("password")):
                return True
        elif path == "/authorization/authorize" and req.method == "POST":
            if get("csrf") and any(expensive_login(u, pw) for u in get("username") for pw in get("password")):
                return True
    return False


# ----------------------------------------------------------------------------------------------- generator
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jwt(header: dict | bytes, payload: dict | bytes, key: bytes) -> str:
    h = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    p = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    signing = b64url(h) + "." + b64url(p)
    return signing + "." + b64url(hmac.new(key, signing.encode(), hashlib.sha256).digest())


class Generator:
    """Request i is generated from Random(seed, i) and the current state (tokens learnt so far)."""

    def __init__(self, seed: int, state: State):
        self.seed, self.state = seed, state
        self.makers = [
            (14, "token-form", self.token_form), (6, "token-json", self.token_json),
            (3, "token-code", self.token_code), (5, "consumer-login", self.consumer_login),
            (4, "bearer", self.bearer), (4, "revoke-introspect", self.revoke_introspect),
            (4, "consumer-authorize", self.consumer_authorize), (5, "authorize-page", self.authorize_page),
            (3, "discovery-health", self.discovery_health), (3, "unknown-path", self.unknown_path),
            (3, "method", self.odd_method), (4, "headers", self.header_abuse), (2, "body-size", self.body_size),
            (3, "json-structure", self.json_structure), (2, "framing", self.framing), (5, "random", self.random_request),
        ]
        self.total_weight = sum(w for w, _, _ in self.makers)

    def make(self, index: int, bcrypt_budget: int) -> Req:
        rng = random.Random(f"{self.seed}:{index}")
        for _ in range(50):
            r = rng.random() * self.total_weight
            for w, name, fn in self.makers:
                r -= w
                if r < 0:
                    break
            req = fn(rng)
            req.kind = req.kind or name
            if rng.random() < 0.5 and req.raw is None and req.mutable:
                self.mutate(rng, req)
            if req.body is not None and len(req.body) > BIG and req.framing_ok:
                # over nginx's limit: its 413 may come before the body is read, and the connection then closes
                req.framing_ok, req.fresh_conn = False, True
            if may_run_bcrypt(req, self.state):
                with self.state.lock:
                    if self.state.expensive >= bcrypt_budget:
                        continue
                    self.state.expensive += 1
            return req
        return Req("health", "GET", "/health", [("User-Agent", "fuzz")])

    # ------------------------------------------------------------------ helpers
    def ua(self, rng) -> list:
        """A User-Agent (fusio-auth stores it as the token name); NUL is rare because nginx refuses it itself."""
        r = rng.random()
        if r < 0.05:
            return []
        if r < 0.07:
            return [("User-Agent", "a\x00b")]
        return [("User-Agent", rng.choice(["fusio-auth-fuzz/1.0", "Mozilla/5.0", "x" * rng.randint(1, 3000), "ü" * 20,
                                           "🙂" * rng.randint(1, 300), "a\x7fb", "curl/8.0", "fuzz", "\xff\xfe", "'\"<>",
                                           "\xed\xa0\x80", "\t tab"]))]

    def app_basic(self, rng) -> tuple:
        s = self.state
        return "Authorization", "Basic " + base64.b64encode(f"{s.app_key}:{s.app_secret}".encode()).decode()

    def user_basic(self, rng) -> tuple:
        s = self.state
        return "Authorization", "Basic " + base64.b64encode(f"{s.user_name}:{s.user_password}".encode()).decode()

    def broken_basic(self, rng) -> tuple:
        s = self.state
        enc = lambda text: base64.b64encode(text.encode() if isinstance(text, str) else text).decode()
        choices = [
            lambda: "Basic", lambda: "Basic ", lambda: "Basic  ", lambda: "basic " + enc(f"{s.app_key}:{s.app_secret}"),
            lambda: "Basic !!!!", lambda: "Basic ====", lambda: "Basic " + "A" * rng.randint(1, 7000),
            lambda: "Basic " + "=" * 100,
            lambda: "Basic " + enc(s.app_key),                                     # no colon
            lambda: "Basic " + enc(f":{s.app_secret}"),                            # empty id
            lambda: "Basic " + enc(f"{s.app_key}:"),                               # empty secret
            lambda: "Basic " + enc(f"0:{s.app_secret}"),
            lambda: "Basic " + enc(f"{s.app_key}:0"),
            lambda: "Basic " + enc(b"\xff\xfe:\xc3\x28"),                        # not UTF-8
            lambda: "Basic " + enc(f"{s.app_key}\x00:{s.app_secret}"),
            lambda: "Basic " + enc(f"{s.app_key}:{s.app_secret}\x00"),
            lambda: "Basic " + enc("k" * 300 + ":" + s.app_secret),                # id over 255
            lambda: "Basic " + enc(s.app_key + ":" + "s" * 4097),                  # secret over 4096
            lambda: "Basic " + enc(f"{s.app_key}:{s.app_secret}").rstrip("="),
            lambda: "Basic " + enc(f"{s.app_key}:{s.app_secret}") + "\x00garbage",
            lambda: "Basic\t" + enc(f"{s.app_key}:{s.app_secret}"),
            lambda: "Basic " + base64.urlsafe_b64encode(f"{s.app_key}:{s.app_secret}?>".encode()).decode(),
            lambda: "Bearer " + enc(f"{s.app_key}:{s.app_secret}"),
            lambda: "Digest username=x", lambda: "Basic " + "\xff" * 10, lambda: "Basic %41%42",
            lambda: "Basic " + enc(f"{s.user_name}:{s.user_password}"),            # the (cheap) fuzz user
            lambda: "Basic " + enc(f"{s.user_name}:wrong"),
            lambda: "Basic " + enc(f"{s.app_key.upper()}:{s.app_secret}"),
            lambda: "Basic " + enc(f"{s.app_key} :{s.app_secret}"),
            lambda: "Basic " + enc(f"{s.app_key}:{s.app_secret}" * 2),
            lambda: "Basic " + enc(f"{s.other_app_key}:{s.app_secret}"),
        ]
        return "Authorization", rng.choice(choices)()

    def bearer_value(self, rng) -> str:
        s = self.state
        now = int(time.time())
        good = s.pick(rng, "access") if rng.random() < 0.7 else s.pick(rng, "consumer_access")
        parts = good.split(".")
        claims = {"iss": s.app_url, "sub": "x", "iat": now, "exp": now + 3600, "jti": "0" * 32}
        hs = {"alg": "HS256", "typ": "JWT"}
        key = s.project_key
        choices = [
            lambda: good, lambda: good, lambda: good, lambda: "x.y.z", lambda: "..", lambda: ".", lambda: "",
            lambda: " ", lambda: good + ".", lambda: good[:-1],
            lambda: good[:-1] + ("A" if good[-1:] != "A" else "B"),
            lambda: good.replace(".", "..", 1), lambda: good + "=", lambda: "A" * rng.randint(1, 9000),
            lambda: good.upper(),
            lambda: "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + (parts[1] if len(parts) > 1 else "e30") + ".",
            lambda: sign_jwt({"alg": "none", "typ": "JWT"}, claims, key),
            lambda: sign_jwt(hs, claims, key),                                     # valid, but no row
            lambda: sign_jwt(hs, dict(claims, exp=now - 10), key),                 # expired
            lambda: sign_jwt(hs, dict(claims, nbf=now + 1000), key),
            lambda: sign_jwt(hs, dict(claims, exp="soon"), key),
            lambda: sign_jwt(hs, dict(claims, exp=1e308, iat=-1e308), key),
            lambda: sign_jwt(hs, b"[1,2,3]", key),
            lambda: sign_jwt(hs, b'{"a":' * 40 + b"1" + b"}" * 40, key),
            lambda: sign_jwt(hs, b'{"exp":1,"exp":2}', key),
            lambda: sign_jwt(hs, b"\xff\xfe", key),
            lambda: sign_jwt(b'{"alg":"HS256"' + b',"x":[' * 20 + b"]" * 20 + b"}", claims, key),
            lambda: sign_jwt(hs, claims, b"wrong-key-" * 4),
            lambda: sign_jwt({"alg": "RS256", "typ": "JWT"}, claims, key),
            lambda: sign_jwt({"alg": "hs256", "typ": "JWT"}, claims, key),
            lambda: b64url(_urandom(rng, 30)) + "." + b64url(_urandom(rng, 60)) + "." + b64url(_urandom(rng, 32)),
            lambda: "\x00" + good, lambda: good + "\x00", lambda: good.replace(".", "%2E"), lambda: "ü.ö.ä",
            lambda: "0", lambda: "null",
        ]
        return rng.choice(choices)()

    def bearer_header(self, rng) -> tuple:
        v = self.bearer_value(rng)
        scheme = rng.choice(["Bearer ", "Bearer ", "Bearer ", "bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Bearer",
                             "Token ", "Basic ", ""])
        return "Authorization", scheme + v

    def scope_value(self, rng) -> str:
        return rng.choice(["", "authorization", "authorization,default", "authorization default", "default,,",
                           "backend", "consumer,consumer.app", ",", " ", "a" * 1024, "a," * 600, "%", "scope\x00",
                           "authorization,openid", "ä,ö", "x" * 5000])

    def random_value(self, rng) -> str:
        n = rng.choice([0, 1, 2, 8, 40, 255, 256, 1024, 4096, 4097])
        kind = rng.random()
        if kind < 0.4:
            return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789-_.", k=n))
        if kind < 0.7:
            return "".join(map(chr, rng.choices(range(0x300), k=min(n, 300))))
        return rng.choice(["0", "", "null", "true", "\x00", "'; DROP TABLE fusio_user; --", "../../", "%00",
                           "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "🙂" * 10])

    # ------------------------------------------------------------------ encoders
    def form(self, rng, params: list) -> bytes:
        out = []
        for k, v in params:
            if isinstance(v, bytes):
                out.append(urllib.parse.quote_plus(k).encode() + b"=" + v)
            else:
                out.append((urllib.parse.quote_plus(k, safe="[]") + "=" + urllib.parse.quote_plus(v)).encode())
        return b"&".join(out)

    def as_json(self, rng, params: list) -> bytes:
        d = {}
        for k, v in params:
            d[k] = v.decode("latin-1") if isinstance(v, bytes) else v
        return json.dumps(d, ensure_ascii=rng.random() < 0.5).encode()

    # ------------------------------------------------------------------ makers
    def grant_params(self, rng) -> tuple[list, list]:
        """(params, headers) of a valid request of a random grant."""
        s = self.state
        g = rng.choice(["client_credentials", "client_credentials", "password", "refresh_token", "client_user"])
        headers = [("Content-Type", "application/x-www-form-urlencoded")] + self.ua(rng)
        scope = rng.choice(["", "authorization", "authorization,default", "default"])
        if g == "client_credentials":
            params = [("grant_type", "client_credentials")]
            if rng.random() < 0.5:
                headers.append(self.app_basic(rng))
            else:
                params += [("client_id", s.app_key), ("client_secret", s.app_secret)]
        elif g == "client_user":      # Fusio's fallback: the user's name and password as client credentials
            params = [("grant_type", "client_credentials")]
            headers.append(self.user_basic(rng))
        elif g == "password":
            params = [("grant_type", "password"), ("username", rng.choice([s.user_name, s.user_email])),
                      ("password", s.user_password)]
            headers.append(self.app_basic(rng))
        else:
            params = [("grant_type", "refresh_token"), ("refresh_token", s.pick(rng, "refresh"))]
            headers.append(self.app_basic(rng))
        if scope:
            params.append(("scope", scope))
        return params, headers

    def mutate_params(self, rng, params: list) -> list:
        params = list(params)
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(12)
            if op == 0 and params:
                params.pop(rng.randrange(len(params)))                                  # missing parameter
            elif op == 1 and params:
                params.append(rng.choice(params))                                       # duplicated
            elif op == 2 and params:
                i = rng.randrange(len(params))
                params[i] = (params[i][0], rng.choice(["", "0", " ", self.random_value(rng)]))
            elif op == 3 and params:
                i = rng.randrange(len(params))
                params[i] = (params[i][0] + "[]", params[i][1])                          # list form
            elif op == 4:
                params.append((self.random_value(rng)[:40] or "x", self.random_value(rng)))
            elif op == 5 and params:
                i = rng.randrange(len(params))
                params[i] = (params[i][0], rng.choice(INTERESTING))                       # raw bytes in value
            elif op == 6:
                params.append(("grant_type", rng.choice(["authorization_code", "implicit", "", "CLIENT_CREDENTIALS",
                                                         "client_credentials ", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                                         "password\x00", "refresh_token"])))
            elif op == 7 and params:
                i = rng.randrange(len(params))
                k, v = params[i]
                if isinstance(v, str) and v:
                    params[i] = (k, v * min(rng.randint(2, 300), BIG // len(v) + 1))
            elif op == 8:
                params.append(("scope", self.scope_value(rng)))
            elif op == 9:
                params.append(("client_id", rng.choice([self.state.app_key, self.state.other_app_key, "", "0", "x" * 256])))
                params.append(("client_secret", rng.choice([self.state.app_secret, "wrong", "", "0", "s" * 4097])))
            elif op == 10 and params:
                rng.shuffle(params)
            elif op == 11:
                params.append((rng.choice(["", "[]", "a[", "a]", "a[b]", "=", "&", "a[][]"]), "v"))
        return params

    def token_form(self, rng) -> Req:
        params, headers = self.grant_params(rng)
        if rng.random() < 0.6:
            params = self.mutate_params(rng, params)
        if rng.random() < 0.3:
            headers = [h for h in headers if h[0] != "Authorization"] + [self.broken_basic(rng)]
        if rng.random() < 0.2:
            headers = [h for h in headers if h[0] != "Content-Type"]
            ct = rng.choice(CONTENT_TYPES)
            if ct is not None:
                headers.append(("Content-Type", ct))
        body = self.form(rng, params)
        if rng.random() < 0.3:
            body = self.mutate_bytes(rng, body)
        return Req("", "POST", "/authorization/token" + self.maybe_query(rng), headers, body)

    def token_json(self, rng) -> Req:
        params, headers = self.grant_params(rng)
        headers = [h for h in headers if h[0] != "Content-Type"]
        headers.append(("Content-Type", rng.choice(["application/json", "application/json; charset=utf-8", "Application/JSON"]))
                       if rng.random() < 0.85 else ("Content-Type", rng.choice(CONTENT_TYPES[1:])))
        if rng.random() < 0.5:
            params = self.mutate_params(rng, params)
        body = self.as_json(rng, params)
        if rng.random() < 0.5:
            body = self.mutate_bytes(rng, body)
        return Req("", "POST", "/authorization/token", headers, body)

    def token_code(self, rng) -> Req:
        s = self.state
        if s.pkce_codes and rng.random() < 0.5:
            code, verifier, _ = rng.choice(s.pkce_codes)
        else:
            code, verifier = rng.choice(s.codes), None
        params = [("grant_type", "authorization_code"), ("code", code)]
        if rng.random() < 0.7:
            params.append(("redirect_uri", rng.choice([s.redirect_uri, s.redirect_uri + "/x", "", "http://evil.example/cb",
                                                        s.redirect_uri.upper(), s.redirect_uri + "%00"])))
        if verifier is not None or rng.random() < 0.2:
            params.append(("code_verifier", rng.choice([verifier or "v" * 43, "short", "v" * 129, "ü" * 43, ""])))
        headers = [("Content-Type", "application/x-www-form-urlencoded")] + self.ua(rng)
        r = rng.random()
        if r < 0.5:
            headers.append(self.app_basic(rng))
        elif r < 0.7:
            params.append(("client_id", s.app_key))
        elif r < 0.85:
            headers.append(self.broken_basic(rng))
        if rng.random() < 0.5:
            params = self.mutate_params(rng, params)
        return Req("", "POST", "/authorization/token", headers, self.form(rng, params))

    def consumer_login(self, rng) -> Req:
        s = self.state
        if rng.random() < 0.7:
            params = [("username", rng.choice([s.user_name, s.user_email, s.user_name.upper()])),
                      ("password", rng.choice([s.user_password, s.user_password, "wrong", "", "0"]))]
            if rng.random() < 0.2:
                params.append(("scopes", ["authorization", "consumer"]))
            method = "POST"
        else:
            params = [("refresh_token", s.pick(rng, "consumer_refresh"))]
            method = "PUT"
        if rng.random() < 0.5:
            params = self.mutate_params(rng, [(k, v) for k, v in params if not isinstance(v, list)]) + \
                [(k, v) for k, v in params if isinstance(v, list)]
        headers = self.ua(rng)
        if rng.random() < 0.75:
            headers.append(("Content-Type", "application/json"))
            d = {}
            for k, v in params:
                d[k] = v.decode("latin-1") if isinstance(v, bytes) else v
            body = json.dumps(d).encode()
        else:
            headers.append(("Content-Type", rng.choice(CONTENT_TYPES[1:])))
            flat = []
            for k, v in params:
                flat += [(k + "[]", x) for x in v] if isinstance(v, list) else [(k, v)]
            body = self.form(rng, flat)
        if rng.random() < 0.3:
            body = self.mutate_bytes(rng, body)
        return Req("", method, "/consumer/login", headers, body)

    def bearer(self, rng) -> Req:
        headers = self.ua(rng) + [self.bearer_header(rng)]
        if rng.random() < 0.1:
            headers.append(self.bearer_header(rng))          # two Authorization headers
        method = rng.choice(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"])
        return Req("", method, "/authorization/whoami" + self.maybe_query(rng), headers,
                   b"" if method == "POST" and rng.random() < 0.5 else None)

    def revoke_introspect(self, rng) -> Req:
        s = self.state
        path = rng.choice(["/authorization/revoke", "/authorization/introspect"])
        headers = self.ua(rng) + [("Content-Type", rng.choice(["application/x-www-form-urlencoded", "application/json",
                                                                 "text/plain"]) )]
        params = []
        r = rng.random()
        if r < 0.4:
            headers.append(self.app_basic(rng) if rng.random() < 0.6 else self.broken_basic(rng))
            params.append(("token", rng.choice([s.pick(rng, "access"), s.pick(rng, "refresh"), self.bearer_value(rng)])))
            if rng.random() < 0.3:
                params.append(("token_type_hint", rng.choice(["access_token", "refresh_token", "", "x"])))
        elif r < 0.8:
            headers.append(self.bearer_header(rng))
        else:
            params += [("client_id", s.app_key), ("client_secret", s.app_secret), ("token", s.pick(rng, "access"))]
        if rng.random() < 0.5:
            params = self.mutate_params(rng, params)
        ctype = dict(headers).get("Content-Type")
        body = self.as_json(rng, params) if ctype == "application/json" else self.form(rng, params)
        if rng.random() < 0.2:
            body = self.mutate_bytes(rng, body)
        return Req("", "POST", path, headers, body)

    def consumer_authorize(self, rng) -> Req:
        s = self.state
        headers = self.ua(rng) + [self.bearer_header(rng)]
        if rng.random() < 0.4:
            q = [("client_id", rng.choice([s.app_key, s.other_app_key, "", "nope", s.app_key.upper()])),
                 ("scope", self.scope_value(rng))]
            if rng.random() < 0.5:
                q = self.mutate_params(rng, q)
            return Req("", "GET", "/consumer/authorize?" + self.query_string(rng, q), headers)
        body = {"responseType": rng.choice(["code", "token", "", "CODE", 1]), "clientId": rng.choice([s.app_key, "x", ""]),
                "redirectUri": rng.choice([s.redirect_uri, s.redirect_uri + "?a=1", s.redirect_uri + "/" + "p" * rng.randint(1, 3000),
                                           "javascript:alert(1)", "", "http://other.example/cb", s.redirect_uri + "#frag"]),
                "scope": self.scope_value(rng), "state": rng.choice(["st", "", "s" * 2000, "\x00", "ü"]),
                "allow": rng.choice([True, False, 1, 0, "1", "true", "yes", None])}
        if rng.random() < 0.3:
            body["codeChallenge"] = rng.choice(["a" * 43, "", "x" * 200, "ü" * 43])
            body["codeChallengeMethod"] = rng.choice(["S256", "plain", "", "s256", "RS256"])
        data = json.dumps(body).encode()
        if rng.random() < 0.4:
            data = self.mutate_bytes(rng, data)
        headers.append(("Content-Type", rng.choice(["application/json", "application/json", "application/x-www-form-urlencoded", "text/plain"])))
        return Req("", "POST", "/consumer/authorize", headers, data)

    def authorize_page(self, rng) -> Req:
        s = self.state
        if rng.random() < 0.5:
            query = s.csrf_query
        else:
            q = [("response_type", rng.choice(["code", "token", "", "code id_token"])),
                 ("client_id", rng.choice([s.app_key, s.app_key, s.other_app_key, "", "unknown", s.app_key + "\x00"])),
                 ("redirect_uri", rng.choice([s.redirect_uri, "", "http://evil.example/", "//evil", s.redirect_uri + "%"])),
                 ("scope", self.scope_value(rng)), ("state", rng.choice(["xyz", "", "<script>", "s" * 1500]))]
            if rng.random() < 0.3:
                q.append(("code_challenge", rng.choice(["a" * 43, "b" * 200])))
                q.append(("code_challenge_method", rng.choice(["S256", "plain", "x"])))
            q = self.mutate_params(rng, q) if rng.random() < 0.5 else q
            query = self.query_string(rng, q)
        target = "/authorization/authorize?" + query
        if rng.random() < 0.4:
            return Req("", rng.choice(["GET", "GET", "HEAD"]), target, self.ua(rng))
        form = [("csrf", rng.choice([s.csrf, s.csrf, s.csrf[:-1], "", "1." + "A" * 43, "9999999999." + "A" * 43])),
                ("username", rng.choice([s.user_name, s.user_email, ""])),
                ("password", rng.choice([s.user_password, s.user_password, "wrong", ""])),
                ("allow", rng.choice(["Allow", "Deny", "", "allow"]))]
        for sid in s.scope_ids.values():
            if rng.random() < 0.7:
                form.append((f"scope_{sid}", rng.choice(["on", "on", "off", ""])))
        if rng.random() < 0.5:
            form = self.mutate_params(rng, form)
        body = self.form(rng, form)
        if rng.random() < 0.2:
            body = self.mutate_bytes(rng, body)
        headers = self.ua(rng) + [("Content-Type", rng.choice(["application/x-www-form-urlencoded"] * 4 + CONTENT_TYPES))]
        headers = [h for h in headers if h[1] is not None]
        return Req("", "POST", target, headers, body)

    def discovery_health(self, rng) -> Req:
        path = rng.choice(["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
                           "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/",
                           "/.well-known/oauth-protected-resource/" + self.random_path_segment(rng), "/health"])
        method = rng.choice(["GET", "GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"])
        headers = self.ua(rng)
        if rng.random() < 0.3:
            headers.append(("Origin", rng.choice(["https://app.example.com", "null", "*", "\x00", "x" * 3000])))
        if rng.random() < 0.2:
            headers.append(("Access-Control-Request-Method", rng.choice(["POST", "x", ""])))
        body = None
        if method in ("POST", "PUT") and rng.random() < 0.6:
            body = rng.choice([b"", b"{}", b"x=1", rng.randbytes(rng.randint(1, 500))])
        return Req("", method, path + self.maybe_query(rng), headers, body)

    def unknown_path(self, rng) -> Req:
        path = rng.choice(UNKNOWN_PATHS)
        if rng.random() < 0.3:
            path = rng.choice(ENDPOINTS) + rng.choice(["/", "x", "/..", "%20", ";", "/./", "%2F"])
        return Req("", rng.choice(METHODS), path + self.maybe_query(rng), self.ua(rng),
                   b"a=b" if rng.random() < 0.3 else None)

    def odd_method(self, rng) -> Req:
        path = rng.choice(ENDPOINTS)
        method = rng.choice(ODD_METHODS + METHODS)
        framing = all(0x21 <= ord(c) < 0x7F for c in method)
        return Req("", method, path, self.ua(rng) + [self.app_basic(rng)], b"grant_type=client_credentials",
                   framing_ok=framing, fresh_conn=not framing, allow_nginx_5xx=(501,) if not framing else ())

    def header_abuse(self, rng) -> Req:
        req = self.token_form(rng) if rng.random() < 0.5 else self.bearer(rng)
        op = rng.randrange(10)
        if op == 0:      # one large header within nginx's 8 KiB buffers, or beyond (nginx's 400)
            req.headers.append(("X-Fuzz", "h" * rng.choice([100, 4000, 7900, 8300, 20000])))
        elif op == 1:    # many headers
            req.headers += [(f"X-Fuzz-{i}", "v" * rng.randint(1, 200)) for i in range(rng.randint(10, 200))]
        elif op == 2:    # bytes nginx passes on: NUL, high bytes, obs-text
            req.headers.append(("X-Fuzz", rng.choice(["\x00", "\xff\xfe", "a\x00b", "\x7f", "é", "\x01\x02"])))
        elif op == 3:    # header names nginx ignores or refuses
            req.headers.append((rng.choice(["X_Underscore", "X Fuzz", "X-Fü", "Authorization ", ":x", "X-\x00"]), "1"))
            req.framing_ok = False
            req.fresh_conn = True
        elif op == 4:
            req.headers.append(("X-Forwarded-For", rng.choice([
                "198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8:fe::1", "198.51.100.1, 127.0.0.1",
                "garbage", "", ",,,", "999.1.1.1", "1.2.3.4.5", "::ffff:999.0.0.1", "[::1]", "198.51.100.1\x00",
                "x" * 4000, ", ".join(["10.0.0.1"] * 300), "unknown", "fe80::1%eth0"])))
        elif op == 5:
            req.headers.append(("Content-Length", rng.choice(["abc", "-1", "99999999999999999999", "1 2", "+5", ""])))
            req.framing_ok, req.fresh_conn, req.half_close, req.mutable = False, True, True, False
        elif op == 6:
            req.headers.append(("Transfer-Encoding", rng.choice(["gzip", "chunked, gzip", "identity", "x"])))
            req.framing_ok, req.fresh_conn, req.half_close, req.allow_nginx_5xx = False, True, True, (501,)
            req.mutable = False
        elif op == 7:
            req.headers.append(("Expect", rng.choice(["100-continue", "200-ok", "x"])))
        elif op == 8:
            req.headers.append(("Host", rng.choice(["", "x" * 300, "evil.example", "a b", "[::1]", "\xff"])))
            req.framing_ok, req.fresh_conn = False, True
        else:
            req.headers.append(("Cookie", "c=" + "x" * rng.randint(1, 7000)))
        return req

    def body_size(self, rng) -> Req:
        op = rng.randrange(6)
        headers = self.ua(rng) + [self.app_basic(rng), ("Content-Type", "application/x-www-form-urlencoded")]
        if op == 0:      # over 64 KiB: nginx's JSON 413 (it may close before reading the rest: no answer is fine)
            body = b"grant_type=client_credentials&x=" + b"a" * rng.choice([70_000, 200_000])
            return Req("", "POST", "/authorization/token", headers, body, framing_ok=False, fresh_conn=True)
        elif op == 1:    # just under the limit, one big value
            body = b"grant_type=client_credentials&x=" + b"a" * (BIG - 40)
        elif op == 2:    # many small parameters
            body = b"&".join(b"p%d=%d" % (i, i) for i in range(rng.choice([500, 5000])))[:BIG]
        elif op == 3:    # many list items
            body = b"grant_type=client_credentials&" + b"&".join(b"scope[]=a" for _ in range(rng.choice([10, 257, 5000])))[:BIG]
        elif op == 4:    # body declared longer than sent, then the client gives up
            return Req("", "POST", "/authorization/token", headers + [("Content-Length", "100")],
                       b"grant_type=client", framing_ok=False, half_close=True)
        else:            # chunked body
            data = b"grant_type=client_credentials&scope=authorization"
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 7]), data[i:i + 7]) for i in range(0, len(data), 7))
            bad = rng.random() < 0.4
            body = chunks + (b"zz\r\n" if bad else b"0\r\n\r\n")
            return Req("", "POST", "/authorization/token", headers + [("Transfer-Encoding", "chunked")], body,
                       framing_ok=not bad, fresh_conn=bad, half_close=bad, mutable=False)
        return Req("", "POST", "/authorization/token", headers, body)

    def json_structure(self, rng) -> Req:
        s = self.state
        path = rng.choice(["/authorization/token", "/consumer/login", "/consumer/authorize", "/authorization/revoke",
                           "/authorization/introspect"])
        op = rng.randrange(12)
        depth = rng.choice([8, 31, 32, 33, 100, 1000, 20000])
        if op == 0:
            body = b"[" * depth + b"]" * depth
        elif op == 1:
            body = b'{"a":' * depth + b"1" + b"}" * depth
        elif op == 2:
            body = b'{"grant_type":"client_credentials","x":' + b"[" * depth + b"]" * depth + b"}"
        elif op == 3:
            body = b"[" * depth                                                        # unterminated
        elif op == 4:
            body = b'{"grant_type":"client_credentials","grant_type":"password"}'     # duplicate key
        elif op == 5:
            body = b'{"username":"\\ud800","password":"x"}'
        elif op == 6:
            body = b'{"username":"' + bytes([rng.randrange(128, 256) for _ in range(20)]) + b'","password":"x"}'
        elif op == 7:
            body = rng.choice([b"", b"null", b"1", b'"s"', b"[]", b"{}", b"{", b"}", b'{"a"}', b'{"a":}', b"{,}", b'{"a":1,}',
                               b"\xef\xbb\xbf{}", b"{}\x00", b"{} {}", b'{"a":NaN}', b'{"a":1e999}', b'{"a":-}', b'{"a":01}',
                               b'{"a":"\x01"}', b"/* */{}", b'{"a":tru}', b"\x00" * 50, b'{"grant_type":["a","b"]}',
                               b'{"grant_type":{"x":1}}', b'{"grant_type":1.5}', b'{"grant_type":123456789012345678901234567890}',
                               b'{"scopes":[1,2]}', b'{"scopes":"authorization"}', b'{"username":null,"password":null}'])
        elif op == 8:
            n = rng.choice([17, 1000, 3000])
            body = b"{" + b",".join(b'"k%d":"v"' % i for i in range(n)) + b"}"
        elif op == 9:
            body = json.dumps({"grant_type": "client_credentials", "client_id": s.app_key, "client_secret": s.app_secret,
                               "scope": rng.choice(["authorization", 1, True, None, ["a"]])}).encode()
        elif op == 10:
            body = json.dumps({"username": s.user_name, "password": s.user_password,
                               "scopes": rng.choice([["authorization"], [], ["x"] * 300, "authorization", [None]])}).encode()
        else:
            body = json.dumps({"responseType": "code", "clientId": s.app_key, "redirectUri": s.redirect_uri,
                               "scope": "authorization", "allow": True,
                               "state": "\\ud83d\\ude00" * rng.randint(1, 50)}).encode().replace(b"\\\\", b"\\")
        headers = self.ua(rng) + [("Content-Type", rng.choice(["application/json", "application/json", None]))]
        headers = [h for h in headers if h[1] is not None]
        if path in ("/consumer/authorize", "/authorization/revoke") or rng.random() < 0.2:
            headers.append(self.bearer_header(rng))
        if path in ("/authorization/token", "/authorization/introspect") and rng.random() < 0.5:
            headers.append(self.app_basic(rng))
        method = "PUT" if path == "/consumer/login" and rng.random() < 0.3 else "POST"
        return Req("", method, path, headers, body[:BIG])

    def framing(self, rng) -> Req:
        raws = [
            b"GET /health HTTP/1.1\r\n\r\n",                                                # no Host
            b"GET /health HTTP/1.0\r\n\r\n",
            b"GET /health\r\n\r\n",                                                          # HTTP/0.9
            b"GET /health HTTP/2.0\r\nHost: x\r\n\r\n",
            b"GET /health HTTP/1.1\nHost: x\n\n",                                            # bare LF
            b"GET  /health  HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",                        # 414
            b"GET /health?" + b"q=" + b"%ff" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /authorization/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
            b"POST /authorization/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + rng.randbytes(64),  # TLS hello
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            rng.randbytes(rng.randint(1, 2000)),
            b"GET /health HTTP/1.1\r\nHost: x\r\n X-Folded: yes\r\n\r\n",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX: " + b"\x00" * 10 + b"\r\n\r\n",
            b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"y" * 40000 + b"\r\n\r\n",
            b"GET /health#frag HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET http://127.0.0.1/health HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",  # pipelined
            b"GET /health HTTP/1.1\r\nHost: x",                                              # unterminated (half close)
        ]
        raw = rng.choice(raws)
        return Req("framing", "GET", "/", [], raw=raw, framing_ok=False, fresh_conn=True, half_close=True,
                   allow_nginx_5xx=(501, 505))

    def random_request(self, rng) -> Req:
        """A mixture of everything: random method, endpoint, headers and a random or mutated body."""
        method = rng.choice(METHODS + ["POST"] * 4)
        path = rng.choice(ENDPOINTS + ENDPOINTS[:2] * 2)
        headers = self.ua(rng)
        for _ in range(rng.randint(0, 3)):
            headers.append(rng.choice([self.app_basic(rng), self.broken_basic(rng), self.bearer_header(rng),
                                       ("Content-Type", rng.choice(CONTENT_TYPES[1:])), ("Origin", "https://x.example"),
                                       ("X-Forwarded-For", rng.choice(["198.51.100.4", "nonsense"]))]))
        body = None
        if method in ("POST", "PUT", "PATCH", "DELETE") or rng.random() < 0.1:
            r = rng.random()
            if r < 0.3:
                body = rng.randbytes(rng.randint(0, 600))
            elif r < 0.6:
                body = self.form(rng, self.mutate_params(rng, self.grant_params(rng)[0]))
            else:
                body = self.mutate_bytes(rng, json.dumps({"username": self.state.user_name, "password": "x",
                                                           "grant_type": "client_credentials"}).encode())
        return Req("", method, path + self.maybe_query(rng), headers, body)

    # ------------------------------------------------------------------ generic mutations
    def mutate(self, rng, req: Req) -> None:
        op = rng.randrange(8)
        if op == 0 and req.body is not None:
            req.body = self.mutate_bytes(rng, req.body)
        elif op == 1:
            req.headers = [h for h in req.headers if rng.random() < 0.7]
        elif op == 2:
            req.target = req.target + ("&" if "?" in req.target else "?") + rng.choice(
                ["%", "%G", "a=%ZZ", "a=%FF", "a=%C3%28", "a&a", "=", "&&&", "a[]=1&a=2", "client_id=x&client_id=y",
                 "x=" + "%41" * 2000, "%00=%00", "a=\xff"])
        elif op == 3 and req.body:
            req.body = req.body[: rng.randrange(len(req.body) + 1)]                         # truncated
        elif op == 4:
            req.method = rng.choice(METHODS)
        elif op == 5:
            req.headers.append(("Content-Type", rng.choice(CONTENT_TYPES[1:])))            # a second one
        elif op == 6 and req.body is not None:
            req.body = req.body + rng.choice(INTERESTING) * rng.randint(1, 20)
        else:
            req.headers.append(rng.choice([self.broken_basic(rng), self.bearer_header(rng)]))

    def mutate_bytes(self, rng, data: bytes) -> bytes:
        data = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(8)
            pos = rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            elif op == 1:
                data[pos:pos] = rng.choice(INTERESTING)
            elif op == 2 and data:
                end = min(len(data), pos + rng.randint(1, 16))
                del data[pos:end]
            elif op == 3:
                del data[pos:]                                                                # truncate
            elif op == 4 and data:
                start = rng.randrange(len(data))
                chunk = data[start:start + rng.randint(1, 32)]
                data[pos:pos] = chunk * rng.randint(1, 50)                                    # repeat a slice
            elif op == 5:
                data[pos:pos] = rng.randbytes(rng.randint(1, 16))
            elif op == 6 and data:
                data[rng.randrange(len(data))] = rng.choice(b"%&=[]{}\":,\\\x00\xff+ ")
            else:
                data[pos:pos] = b"&" + rng.choice([b"grant_type", b"client_id", b"username", b"scope", b"code"]) + b"=x"
        return bytes(data[:BIG])

    def maybe_query(self, rng) -> str:
        if rng.random() < 0.8:
            return ""
        return "?" + rng.choice(["a=b", "", "%", "%zz=1", "x=%FF", "&", "q=" + "x" * rng.randint(1, 6000),
                                 "a=1&a=2", "\xff", "a[]=1&a[]=2", "grant_type=client_credentials"])

    def query_string(self, rng, params: list) -> str:
        out = []
        for k, v in params:
            if isinstance(v, bytes):
                out.append(urllib.parse.quote(k, safe="[]") + "=" + v.decode("latin-1"))
            else:
                out.append(urllib.parse.quote(k, safe="[]") + "=" + urllib.parse.quote(v, safe=""))
        q = "&".join(out)
        # the request line must stay printable ASCII without spaces, or nginx answers 400 itself
        return "".join(c if 0x21 <= ord(c) < 0x7F else "%%%02X" % (ord(c) & 0xFF) for c in q)

    def random_path_segment(self, rng) -> str:
        return rng.choice(["a", "..", "%2e%2e", "x" * 500, "%00", "é", "a/b/c", "%", "?x=1", ";"])


def _urandom(rng: random.Random, n: int) -> bytes:
    return rng.randbytes(n)



# ----------------------------------------------------------------------------------------------- set-up
def make_state(db, base_url: str, app_url: str, project_key: bytes) -> State:
    """A fuzz user (cost-4 hash, so its logins are cheap) with two apps, unused codes (with and without PKCE),
    a consent-page CSRF token and one token of each kind."""
    from conftest import create_app, php_password_hash, q, sql_create_user, unique
    from grantlib import insert_code, pkce_pair

    password = "fz-pw-" + __import__("secrets").token_hex(8)
    user = sql_create_user(db, php_password_hash(password, cost=4), scopes=("authorization", "consumer", "default"),
                           name=unique("fz"))
    user.password = password
    app = create_app(user, "authorization,consumer,default", url="https://fuzz.example.com")
    other = create_app(user, "authorization", url="https://other.fuzz.example.com")
    codes = [insert_code(db, app, user, "authorization", redirect_uri=REDIRECT if i % 2 else None) for i in range(150)]
    pkce = []
    for i in range(60):
        method = "S256" if i % 3 else "plain"
        verifier, challenge = pkce_pair(method)
        pkce.append((insert_code(db, app, user, "authorization", redirect_uri=REDIRECT, challenge=challenge,
                                 method=method), verifier, method))
    scope_ids = {r["name"]: r["id"] for r in q(db, "SELECT id, name FROM fusio_scope WHERE tenant_id IS NULL AND name IN "
                                                   "('authorization', 'consumer', 'default')")}
    csrf_query = urllib.parse.urlencode({"response_type": "code", "client_id": app.key, "redirect_uri": REDIRECT,
                                         "scope": "authorization,default", "state": "fz"})
    page = requests.get(f"{base_url}/authorization/authorize?{csrf_query}", timeout=20)
    assert page.status_code == 200, f"consent page: HTTP {page.status_code}: {page.text[:300]}"
    m = re.search(r'name="csrf"[^>]*value="([^"]+)"', page.text) or re.search(r'value="([^"]+)"[^>]*name="csrf"', page.text)
    assert m, "no csrf field on the consent page"
    state = State(app_key=app.key, app_secret=app.secret, user_name=user.name, user_email=user.email,
                  user_password=password, other_app_key=other.key, other_app_secret=other.secret,
                  project_key=project_key, app_url=app_url, redirect_uri=REDIRECT, scope_ids=scope_ids, codes=codes,
                  pkce_codes=pkce, csrf_query=csrf_query, csrf=m.group(1))
    r = requests.post(f"{base_url}/authorization/token", data={"grant_type": "client_credentials"},
                      auth=(app.key, app.secret), headers={"User-Agent": "fuzz"}, timeout=20)
    assert r.status_code == 200, r.text
    state.learn(Req("", "POST", "/authorization/token", []), Resp(200, {"content-type": "application/json"}, r.content))
    r = requests.post(f"{base_url}/consumer/login", json={"username": user.name, "password": password},
                      headers={"User-Agent": "fuzz"}, timeout=20)
    assert r.status_code == 200, r.text
    state.learn(Req("", "POST", "/consumer/login", []), Resp(200, {"content-type": "application/json"}, r.content))
    return state


def forget_client_addresses(db) -> None:
    from conftest import q
    for ip in XFF_IPS:
        q(db, "DELETE FROM fusio_firewall WHERE ip = %s", (ip,))
        q(db, "DELETE FROM fusio_firewall_log WHERE ip = %s", (ip,))


def supervisor_pid() -> int:
    from conftest import env
    return int(Path(env("FA_SERVER_PIDFILE")).read_text().strip())


# ----------------------------------------------------------------------------------------------- running
def nginx_error_log() -> Path:
    return Path(__import__("conftest").env("FA_RUN_DIR")) / "nginx" / "logs" / "error.log"


def size_of(p: Path) -> int:
    try:
        return p.stat().st_size
    except FileNotFoundError:
        return 0


def read_from(p: Path, offset: int) -> str:
    try:
        with open(p, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def minimise(req: Req, host: str, port: int, still_fails, budget: int = 120) -> Req:
    """Greedy shrinking: drop headers, then cut the body (halves, then chunks), while the failure persists."""
    tries = 0

    def fails(candidate: Req) -> bool:
        nonlocal tries
        tries += 1
        c = Client(host, port, timeout=20)
        try:
            return still_fails(candidate, c.send(candidate))
        finally:
            c.close()

    best = req.copy()
    changed = True
    while changed and tries < budget:
        changed = False
        for i in range(len(best.headers) - 1, -1, -1):
            if tries >= budget:
                break
            cand = best.copy()
            del cand.headers[i]
            if fails(cand):
                best, changed = cand, True
        if best.body:
            chunk = max(1, len(best.body) // 2)
            while chunk >= 1 and tries < budget:
                pos, shrunk = 0, False
                while pos < len(best.body) and tries < budget:
                    cand = best.copy()
                    cand.body = best.body[:pos] + best.body[pos + chunk:]
                    if fails(cand):
                        best, shrunk, changed = cand, True, True
                    else:
                        pos += chunk
                if not shrunk:
                    chunk //= 2
        if "?" in best.target and tries < budget:
            cand = best.copy()
            cand.target = best.target.split("?", 1)[0]
            if fails(cand):
                best, changed = cand, True
    return best


def run_fuzz(base_url: str, state: State, seed: int, total: int, deadline_s: float, allow_503: bool = False,
             bcrypt_budget: int = 40):
    """Sends `total` requests from THREADS threads; returns (stats, failures)."""
    host, port = urllib.parse.urlsplit(base_url).hostname, urllib.parse.urlsplit(base_url).port
    gen = Generator(seed, state)
    lock = threading.Lock()
    counter = iter(range(total))
    statuses: collections.Counter = collections.Counter()
    kinds: collections.Counter = collections.Counter()
    nginx_own = collections.Counter()
    failures: list[tuple[int, Req, Resp, list[str]]] = []
    failure_count = [0]
    sent_bytes = [0]
    slowest = [0.0, ""]
    t0 = time.monotonic()
    stop = threading.Event()

    def worker():
        client = Client(host, port)
        try:
            while not stop.is_set():
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                if time.monotonic() - t0 > deadline_s:
                    stop.set()
                    return
                req = gen.make(i, bcrypt_budget)
                resp = client.send(req)
                state.learn(req, resp)
                probs = problems(req, resp, allow_503=allow_503)
                key = resp.status if resp.status is not None else f"no answer ({resp.error})"
                with lock:
                    if resp.seconds > slowest[0]:
                        slowest[:] = [resp.seconds, f"#{i} {req.kind} {req.method} {req.path}"]
                    statuses[key] += 1
                    kinds[req.kind] += 1
                    sent_bytes[0] += len(req.render("127.0.0.1"))
                    if resp.status is not None and from_nginx(resp, req.method):
                        nginx_own[resp.status] += 1
                    if probs:
                        failure_count[0] += 1
                        if len(failures) < 25:
                            failures.append((i, req, resp, probs))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, name=f"fuzz-{n}", daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(deadline_s + 120)
    elapsed = time.monotonic() - t0
    sent = sum(statuses.values())
    return {"sent": sent, "elapsed": elapsed, "statuses": statuses, "kinds": kinds, "nginx_own": nginx_own,
            "failures": failure_count[0], "bytes": sent_bytes[0], "expensive": state.expensive,
            "slowest": tuple(slowest)}, failures


def format_stats(seed: int, stats: dict) -> str:
    st = stats["statuses"]
    by_status = ", ".join(f"{k}: {v}" for k, v in sorted(st.items(), key=lambda kv: str(kv[0])))
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(stats["kinds"].items()))
    nginx = ", ".join(f"{k}: {v}" for k, v in sorted(stats["nginx_own"].items())) or "none"
    return (f"\n[fuzz] seed {seed}: {stats['sent']} requests in {stats['elapsed']:.1f}s "
            f"({stats['sent'] / max(stats['elapsed'], 0.001):.0f}/s, {stats['bytes'] / 1e6:.1f} MB), "
            f"{stats['failures']} failing\n[fuzz] statuses: {by_status}\n[fuzz] of these answered by nginx itself: {nginx}\n"
            f"[fuzz] per generator: {kinds}\n[fuzz] requests that could reach a cost-12 bcrypt check: {stats['expensive']}; "
            f"slowest answer {stats['slowest'][0]:.2f}s ({stats['slowest'][1]})")


