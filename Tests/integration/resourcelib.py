"""Helpers shared by the issue-4 tests (bearer validation, whoami, revoke, introspect, authorize, discovery).
Not a test module: fixtures live in conftest.py.

Everything here follows reference §3.0, §3.4-§3.8, §4.1, §4.6 and the decisions of issue 4:
* every bearer failure is 401 with Fusio's generic body and
  `WWW-Authenticate: Bearer realm="Fusio", resource_metadata="<APP_URL>/.well-known/oauth-protected-resource"`;
* tokens "minted the way PHP mints them" are built here (HS256 JWT with the §4.1 claims, no `jti`) and written
  as the §4.6 row, so the server sees exactly what a PHP Fusio next to it would have written.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

import requests

from conftest import App, User, category_id, fusio_uuid, q, q1, utcnow, wait_until

UA = "fusio-auth-tests/1.0 (resources)"
DB_TIME = "%Y-%m-%d %H:%M:%S"
WHOAMI = "/authorization/whoami"
REVOKE = "/authorization/revoke"
INTROSPECT = "/authorization/introspect"
AUTHORIZE_HTML = "/authorization/authorize"
CONSUMER_AUTHORIZE = "/consumer/authorize"
CONSUMER_LOGIN = "/consumer/login"
TOKEN = "/authorization/token"
LIFETIME = 172800                      # FUSIO_EXPIRE_TOKEN=P2D in the test .env
CACHE_GRACE = 1.5                      # the server caches scope/operation rows for one second per thread
CACHE_DEADLINE = 5.0                   # upper bound for a change in the database to show
LEAKS = ("SQL", "SELECT", "mysql", "MariaDB", "$2y$", "Traceback")
CODE_RE = r"^[0-9a-f]{16}$"

# §3.0 CORS (psx-http CORS filter defaults)
CORS_METHODS = "OPTIONS, HEAD, GET, POST, PUT, DELETE, PATCH"
CORS_HEADERS = "Accept, Accept-Language, Authorization, Content-Language, Content-Type, User-Agent"


# ----------------------------------------------------------------------------- small things
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refresh_value() -> str:
    """A refresh token in Fusio's format (§4.4)."""
    return f"{secrets.token_hex(10)}-{secrets.token_hex(24)}-{secrets.token_hex(5)}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def www_authenticate(app_url: str) -> str:
    return f'Bearer realm="Fusio", resource_metadata="{app_url}/.well-known/oauth-protected-resource"'


def db_time(t: dt.datetime) -> str:
    return t.strftime(DB_TIME)


# ----------------------------------------------------------------------------- JWTs as PHP builds them (§4.1)
def jwt_encode(claims: dict, key: bytes, alg: str = "HS256", header: dict | None = None,
               raw_header: bytes | None = None, raw_payload: bytes | None = None) -> str:
    """A compact JWS. Header and payload are compact JSON with literal slashes and \\uXXXX escapes, as PHP's
    json_encode(…, JSON_UNESCAPED_SLASHES) writes them; the signature is HMAC over `h.p` (none: empty)."""
    h = raw_header if raw_header is not None else json.dumps(header or {"typ": "JWT", "alg": alg},
                                                              separators=(",", ":")).encode()
    p = raw_payload if raw_payload is not None else json.dumps(claims, separators=(",", ":")).encode()
    signing = f"{b64url(h)}.{b64url(p)}".encode()
    if alg == "HS256":
        sig = hmac.new(key, signing, hashlib.sha256).digest()
    elif alg == "HS384":
        sig = hmac.new(key, signing, hashlib.sha384).digest()
    elif alg == "HS512":
        sig = hmac.new(key, signing, hashlib.sha512).digest()
    elif alg == "none":
        sig = b""
    else:
        raise ValueError(alg)
    return f"{signing.decode()}.{b64url(sig)}"


def php_claims(app_url: str, user: User, app: App | None, iat: int, exp: int) -> dict:
    """§4.1 claims in PHP's order: iss, sub, iat, exp, name, preferred_username, aud (with an app), email (if any).
    No jti: PHP Fusio does not write one."""
    c = {"iss": app_url, "sub": fusio_uuid(f"{app_url}-{user.id}"), "iat": iat, "exp": exp,
         "name": user.name, "preferred_username": user.name}
    if app is not None:
        c["aud"] = app.key
    if user.email:
        c["email"] = user.email
    return c


def insert_token_row(db, token: str, user: User | int, app: App | int | None, scope: str,
                     expire: dt.datetime | None = dt.datetime.max, status: int = 1, tenant: str | None = None,
                     category: str = "authorization", date: dt.datetime | None = None,
                     name: str = "PHP Fusio (test row)", refresh: str | None = None) -> int:
    """One fusio_token INSERT as §4.6 describes (dates UTC). `expire` defaults to now + P2D; None stores NULL."""
    now = utcnow()
    if expire is dt.datetime.max:
        expire = now + dt.timedelta(seconds=LIFETIME)
    uid = user.id if isinstance(user, User) else user
    aid = app.id if isinstance(app, App) else app
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_token (tenant_id, category_id, app_id, user_id, status, name, token, refresh, "
                    "scope, ip, expire, date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (tenant, category_id(db, category), aid, uid, status, name, token,
                     refresh if refresh is not None else refresh_value(), scope, "127.0.0.1",
                     db_time(expire) if expire is not None else None, db_time(date or now)))
        return cur.lastrowid


_MINT_EPOCH = int(time.time())
_MINT_SERIAL = itertools.count(1)


@dataclass
class Minted:
    token: str
    row_id: int
    claims: dict
    refresh: str


def mint_php_token(db, key: bytes, app_url: str, user: User, app: App | None, scope: str,
                   category: str = "authorization", iat: int | None = None, exp: int | None = None,
                   row_expire: dt.datetime | None = dt.datetime.max, status: int = 1, tenant: str | None = None,
                   claims: dict | None = None, alg: str = "HS256", sign_key: bytes | None = None) -> Minted:
    """A token exactly as PHP Fusio issues it: the JWT of §4.1 (HS256, project key, no jti) and the row of §4.6.
    The overrides build the broken variants (expired, forged, other algorithms) with an otherwise valid row."""
    # PHP's JWT has no jti: two tokens of one user and app issued in the same second are the same string. Every
    # minted token therefore gets its own iat (one second further back per token), so rows never share a token.
    iat = (_MINT_EPOCH if iat is None else iat) - next(_MINT_SERIAL)
    exp = iat + LIFETIME if exp is None else exp
    c = claims if claims is not None else php_claims(app_url, user, app, iat, exp)
    token = jwt_encode(c, sign_key if sign_key is not None else key, alg=alg)
    if row_expire is dt.datetime.max:
        row_expire = dt.datetime.fromtimestamp(exp, dt.timezone.utc).replace(tzinfo=None)
    refresh = refresh_value()
    row_id = insert_token_row(db, token, user, app, scope, expire=row_expire, status=status, tenant=tenant,
                              category=category, refresh=refresh)
    return Minted(token, row_id, c, refresh)


def php_lookup(db, token: str) -> list[dict]:
    """The exact lookup PHP's TokenValidator performs (§3.8 step 4) for the root tenant, `now` in UTC."""
    return q(db, "SELECT id, app_id, user_id, token, scope, expire, date FROM fusio_token "
                 "WHERE tenant_id IS NULL AND status = 1 AND token = %s AND (expire IS NULL OR expire > %s)",
             (token, db_time(utcnow())))


# ----------------------------------------------------------------------------- tokens through our endpoints
def consumer_login(base_url: str, user: User, scopes: list[str] | None = None) -> dict:
    body = {"username": user.name, "password": user.password}
    if scopes is not None:
        body["scopes"] = scopes
    r = requests.post(base_url + CONSUMER_LOGIN, json=body, headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"/consumer/login: HTTP {r.status_code}: {r.text[:300]}"
    return r.json()


def password_token(base_url: str, app: App, user: User, scope: str | None = None) -> dict:
    data = {"grant_type": "password", "username": user.name, "password": user.password}
    if scope is not None:
        data["scope"] = scope
    r = requests.post(base_url + TOKEN, data=data, auth=(app.key, app.secret), headers={"User-Agent": UA},
                      timeout=20)
    assert r.status_code == 200, f"password grant: HTTP {r.status_code}: {r.text[:300]}"
    return r.json()


def whoami(base_url: str, token: str | None = None, headers: dict | None = None) -> requests.Response:
    h = {"User-Agent": UA}
    if token is not None:
        h.update(bearer(token))
    h.update(headers or {})
    return requests.get(base_url + WHOAMI, headers=h, timeout=20)


def token_status(db, token: str) -> int:
    row = q1(db, "SELECT status FROM fusio_token WHERE token = %s", (token,))
    assert row is not None, "no fusio_token row holds the token"
    return row["status"]


# ----------------------------------------------------------------------------- assertions
def assert_json(r: requests.Response) -> object:
    assert r.headers.get("Content-Type", "").startswith("application/json"), \
        f"Content-Type {r.headers.get('Content-Type')!r}: {r.text[:300]}"
    return r.json()


def assert_generic(r: requests.Response, status: int) -> dict:
    """Fusio's generic error body (§3.0): exactly success/title/message."""
    assert r.status_code == status, f"expected HTTP {status}, got {r.status_code}: {r.text[:500]}"
    body = assert_json(r)
    assert isinstance(body, dict) and set(body) == {"success", "title", "message"}, body
    assert body["success"] is False, body
    assert body["title"] == "Internal Server Error", body
    assert isinstance(body["message"], str) and body["message"], body
    for bad in LEAKS:
        assert bad.lower() not in r.text.lower(), f"error body leaks {bad!r}: {r.text[:500]}"
    return body


def assert_bearer_401(r: requests.Response, app_url: str) -> dict:
    """A refused bearer token (§3.8 step 8, fixed): 401, generic body, the Bearer challenge."""
    body = assert_generic(r, 401)
    assert r.headers.get("WWW-Authenticate") == www_authenticate(app_url), \
        f"WWW-Authenticate {r.headers.get('WWW-Authenticate')!r}"
    return body


def assert_no_store(r: requests.Response) -> None:
    assert "no-store" in r.headers.get("Cache-Control", ""), f"Cache-Control missing: {dict(r.headers)}"


def assert_invalid_client(r: requests.Response, secrets_: tuple[str, ...] = ()) -> dict:
    assert r.status_code == 401, f"expected 401 invalid_client, got HTTP {r.status_code}: {r.text[:500]}"
    body = assert_json(r)
    assert body.get("error") == "invalid_client", body
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="Fusio"', r.headers
    assert_no_store(r)
    for s in LEAKS + tuple(x for x in secrets_ if x):
        assert s.lower() not in r.text.lower(), f"body leaks {s!r}: {r.text[:300]}"
    return body


def check_cors(base_url: str, path: str, methods: list[str]) -> None:
    """§3.0 CORS: Access-Control-Allow-Origin only with Origin; OPTIONS preflight with Allow, the methods and
    headers lists when asked for, and Expose-Headers; credentials are never allowed."""
    url = base_url + path
    origin = "https://spa.example.org"
    pre = requests.options(url, headers={"Origin": origin, "User-Agent": UA,
                                         "Access-Control-Request-Method": methods[0],
                                         "Access-Control-Request-Headers": "authorization,content-type"}, timeout=20)
    assert pre.status_code == 200, f"OPTIONS {path}: HTTP {pre.status_code}: {pre.text[:300]}"
    h = pre.headers
    assert h.get("Access-Control-Allow-Origin") == "*", dict(h)
    assert h.get("Access-Control-Allow-Methods") == CORS_METHODS, dict(h)
    assert h.get("Access-Control-Allow-Headers") == CORS_HEADERS, dict(h)
    assert h.get("Access-Control-Expose-Headers") == "*", dict(h)
    assert h.get("Access-Control-Allow-Credentials", "false").lower() != "true", dict(h)
    allow = {m.strip().upper() for m in h.get("Allow", "").split(",") if m.strip()}
    assert set(methods) <= allow, f"Allow {h.get('Allow')!r} lacks {methods}"

    plain = requests.options(url, headers={"Origin": origin, "User-Agent": UA}, timeout=20)
    assert plain.status_code == 200, plain.text[:300]
    assert plain.headers.get("Access-Control-Allow-Origin") == "*", dict(plain.headers)
    assert "Access-Control-Allow-Methods" not in plain.headers, "only when Access-Control-Request-Method was sent"
    assert "Access-Control-Allow-Headers" not in plain.headers, "only when Access-Control-Request-Headers was sent"
    assert plain.headers.get("Access-Control-Expose-Headers") == "*", dict(plain.headers)

    bare = requests.options(url, headers={"User-Agent": UA}, timeout=20)
    assert bare.status_code == 200, bare.text[:300]
    assert "Access-Control-Allow-Origin" not in bare.headers, "only when the request has Origin"


# ----------------------------------------------------------------------------- database fixtures
def create_scope(db, name: str | None = None, description: str = "", category: str = "default",
                 status: int = 1) -> tuple[int, str]:
    name = name or "s" + secrets.token_hex(5)
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_scope (category_id, tenant_id, status, name, description) "
                    "VALUES (%s, NULL, %s, %s, %s)", (category_id(db, category), status, name, description))
        return cur.lastrowid, name


def add_user_scope(db, user_id: int, scope_id: int) -> None:
    q(db, "INSERT INTO fusio_user_scope (user_id, scope_id) VALUES (%s, %s)", (user_id, scope_id))


def add_app_scope(db, app_id: int, scope_id: int) -> None:
    q(db, "INSERT INTO fusio_app_scope (app_id, scope_id) VALUES (%s, %s)", (app_id, scope_id))


def operation_id(db, name: str) -> int:
    row = q1(db, "SELECT id FROM fusio_operation WHERE tenant_id IS NULL AND name = %s", (name,))
    assert row is not None, f"no operation {name}"
    return row["id"]


def link_scope_operation(db, scope_id: int, operation: str, allow: int = 1) -> int:
    with db.cursor() as cur:
        cur.execute("INSERT INTO fusio_scope_operation (scope_id, operation_id, allow) VALUES (%s, %s, %s)",
                    (scope_id, operation_id(db, operation), allow))
        return cur.lastrowid


@contextlib.contextmanager
def operation_status(db, name: str, status: int):
    """Set an operation's status (as an administrator would in the PHP backend) and restore it afterwards."""
    row = q1(db, "SELECT id, status FROM fusio_operation WHERE tenant_id IS NULL AND name = %s", (name,))
    assert row is not None, f"no operation {name}"
    q(db, "UPDATE fusio_operation SET status = %s WHERE id = %s", (status, row["id"]))
    try:
        yield row["id"]
    finally:
        q(db, "UPDATE fusio_operation SET status = %s WHERE id = %s", (row["status"], row["id"]))


def settle(cond, what: str, grace: float = CACHE_GRACE, timeout: float = CACHE_DEADLINE):
    """Poll `cond` until it holds AND at least `grace` seconds passed since the call: after a row change that the
    server caches per thread (one second), so that no thread still holds the old row when the next test runs."""
    t0 = time.monotonic()
    return wait_until(lambda: (time.monotonic() - t0 >= grace) and cond(), timeout, 0.1, what)


def poll(cond, what: str, timeout: float = CACHE_DEADLINE):
    return wait_until(cond, timeout, 0.1, what)


def poll_status(send, status: int, what: str, timeout: float = CACHE_DEADLINE) -> requests.Response:
    """Repeat `send()` until it answers `status`; that response. (A Response is falsy for 4xx: wrap it.)"""
    return poll(lambda: (lambda r: [r] if r.status_code == status else None)(send()), what, timeout)[0]


def audit_rows(db, event: str, user_id: int) -> list[dict]:
    return q(db, "SELECT * FROM fusio_audit WHERE event = %s AND user_id = %s ORDER BY id", (event, user_id))


def table_exists(db, name: str) -> bool:
    row = q1(db, "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() "
                 "AND table_name = %s", (name,))
    return bool(row and row["n"])


def code_rows(db, app_id: int, user_id: int) -> list[dict]:
    return q(db, "SELECT * FROM fusio_app_code WHERE app_id = %s AND user_id = %s ORDER BY id", (app_id, user_id))


def challenge_row(db, code_id: int) -> dict | None:
    return q1(db, "SELECT * FROM fusioauth_code_challenge WHERE code_id = %s", (code_id,))


def grant_row(db, user_id: int, app_id: int) -> dict | None:
    return q1(db, "SELECT * FROM fusio_user_grant WHERE user_id = %s AND app_id = %s", (user_id, app_id))


def scope_id(db, name: str) -> int:
    row = q1(db, "SELECT id FROM fusio_scope WHERE tenant_id IS NULL AND name = %s", (name,))
    assert row is not None, f"no scope {name}"
    return row["id"]


# ----------------------------------------------------------------------------- redirect URIs
def redirect_with(uri: str, params: dict) -> str:
    """§3.4.3 step 11: the URI with its query replaced by http_build_query(params) (RFC 1738: '+' for space)."""
    return f"{uri}?{urllib.parse.urlencode(params)}"


def query_of(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


# ----------------------------------------------------------------------------- the HTML consent page
@dataclass
class Page:
    forms: list[dict] = field(default_factory=list)       # {"attrs": {...}, "fields": [attrs...]}
    tags: list[tuple[str, dict]] = field(default_factory=list)
    text: str = ""

    @property
    def form(self) -> dict:
        assert len(self.forms) == 1, f"expected one form, found {len(self.forms)}"
        return self.forms[0]

    def fields(self, **match) -> list[dict]:
        return [f for f in self.form["fields"] if all(f.get(k) == v for k, v in match.items())]

    def field(self, name: str) -> dict:
        found = self.fields(name=name)
        assert len(found) == 1, f"expected one field {name!r}, found {found}"
        return found[0]

    @property
    def scope_boxes(self) -> dict[int, dict]:
        out = {}
        for f in self.form["fields"]:
            n = f.get("name") or ""
            if n.startswith("scope_"):
                out[int(n[len("scope_"):])] = f
        return out


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: dict | None = None
        self._texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.page.tags.append((tag, a))
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.page.forms.append(self._form)
        elif tag in ("input", "button", "select", "textarea") and self._form is not None:
            f = dict(a)
            f["_tag"] = tag
            if tag == "button" and "type" not in f:
                f["type"] = "submit"
            self._form["fields"].append(f)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        self._texts.append(data)

    def close(self):
        super().close()
        self.page.text = " ".join(self._texts)


def parse_page(html: str) -> Page:
    p = _PageParser()
    p.feed(html)
    p.close()
    return p.page


SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "article",
             "div", "span", "p", "h1", "h2", "h3", "h4", "form", "fieldset", "legend", "label", "input", "button",
             "ul", "ol", "li", "dl", "dt", "dd", "strong", "em", "b", "i", "small", "code", "br", "hr", "a", "nav",
             "table", "thead", "tbody", "tr", "th", "td", "link"}


def assert_inert_html(page: Page, raw: str) -> None:
    """No markup came from data: only the template's own tags, no event-handler attributes, no scripts."""
    names = {t for t, _ in page.tags}
    assert names <= SAFE_TAGS, f"unexpected tags in the page: {names - SAFE_TAGS}"
    for t, attrs in page.tags:
        for k, v in attrs.items():
            assert not k.lower().startswith("on"), f"event handler attribute {k}={v!r} on <{t}>"
            if k.lower() in ("href", "src", "action", "formaction"):
                assert not v.strip().lower().startswith(("javascript:", "data:")), f"{k}={v!r} on <{t}>"
    low = raw.lower()
    for bad in ("<script", "<img", "<iframe", "<svg", "<object", "<embed"):
        assert bad not in low, f"raw {bad} in the page"


def assert_html_headers(r: requests.Response) -> None:
    assert r.headers.get("Content-Type", "").startswith("text/html"), r.headers.get("Content-Type")
    assert r.headers.get("X-Frame-Options", "").upper() == "DENY", dict(r.headers)
    csp = r.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == "default-src 'none'", f"CSP {csp!r}"
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", f"CSP {csp!r}"
    assert_no_store(r)


def consent_form_data(page: Page, username: str, password: str, allow: bool = True,
                      scope_ids: list[int] | None = None, csrf: str | None = "<from page>") -> dict:
    """What a browser submits: the filled-in fields, the checked scope boxes (or `scope_ids`), the hidden csrf and
    the pressed button."""
    data = {"username": username, "password": password}
    if csrf == "<from page>":
        csrf = page.field("csrf").get("value", "")
    if csrf is not None:
        data["csrf"] = csrf
    boxes = page.scope_boxes
    for sid in (scope_ids if scope_ids is not None else [i for i, f in boxes.items() if "checked" in f]):
        data[f"scope_{sid}"] = "on"
    if allow:
        data["allow"] = "Allow"
    else:
        data["deny"] = "Deny"
    return data


def authorize_url(base_url: str, client_id: str, redirect_uri: str | None, scope: str | None, state: str | None,
                  challenge: str | None = None, method: str | None = None, response_type: str = "code") -> str:
    params = {"response_type": response_type, "client_id": client_id}
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    if scope is not None:
        params["scope"] = scope
    if state is not None:
        params["state"] = state
    if challenge is not None:
        params["code_challenge"] = challenge
    if method is not None:
        params["code_challenge_method"] = method
    return f"{base_url}{AUTHORIZE_HTML}?{urllib.parse.urlencode(params)}"


def get_consent(url: str) -> tuple[requests.Response, Page]:
    r = requests.get(url, headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"GET consent page: HTTP {r.status_code}: {r.text[:500]}"
    return r, parse_page(r.text)


def post_consent(url: str, data: dict) -> requests.Response:
    return requests.post(url, data=data, headers={"User-Agent": UA}, timeout=20, allow_redirects=False)


# ----------------------------------------------------------------------------- the JSON authorize API
def consumer_authorize(base_url: str, token: str | None, body: dict, headers: dict | None = None) -> requests.Response:
    h = {"User-Agent": UA}
    if token is not None:
        h.update(bearer(token))
    h.update(headers or {})
    return requests.post(base_url + CONSUMER_AUTHORIZE, json=body, headers=h, timeout=20)


def authorize_body(app: App, redirect_uri: str | None, scope: str, state: str | None = "st", allow: bool = True,
                   challenge: str | None = None, method: str | None = None, response_type: str = "code") -> dict:
    b = {"responseType": response_type, "clientId": app.key, "scope": scope, "allow": allow}
    if redirect_uri is not None:
        b["redirectUri"] = redirect_uri
    if state is not None:
        b["state"] = state
    if challenge is not None:
        b["codeChallenge"] = challenge
    if method is not None:
        b["codeChallengeMethod"] = method
    return b
