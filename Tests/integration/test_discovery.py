"""Discovery documents (issue 4, reference §3.7, §3.0 CORS), end to end through nginx.

`GET /.well-known/openid-configuration` and `/.well-known/oauth-authorization-server` are compared member by
member, and in §3.7's order, with Fusio's documents (B = APP_URL, scopes_supported = names of fusio_scope with
category_id 1 ordered by name), plus the issue's additions: revocation_endpoint, introspection_endpoint,
code_challenge_methods_supported ["S256","plain"] and token_endpoint_auth_methods_supported
["client_secret_basic","client_secret_post","none"] (in place of Fusio's ["client_secret_basic"]).
`/.well-known/oauth-protected-resource[/<path>]` is compared exactly.
"""

from __future__ import annotations

import secrets

import pytest
import requests

from conftest import q
from resourcelib import UA, assert_json, check_cors, create_scope, poll

OIDC = "/.well-known/openid-configuration"
AS = "/.well-known/oauth-authorization-server"
PR = "/.well-known/oauth-protected-resource"


def scopes_supported(db) -> list[str]:
    """Fusio's query (§3.7): category id 1 hard-coded, no tenant or status filter, the database's collation order."""
    return [r["name"] for r in q(db, "SELECT name FROM fusio_scope WHERE category_id = 1 ORDER BY name LIMIT 1024")]


def fusio_core(b: str, scopes: list[str], claims: bool) -> list[tuple[str, object]]:
    """§3.7 members in order, token_endpoint_auth_methods_supported with the issue's values."""
    members = [
        ("issuer", b),
        ("authorization_endpoint", f"{b}/authorization/authorize"),
        ("token_endpoint", f"{b}/authorization/token"),
        ("token_endpoint_auth_methods_supported", ["client_secret_basic", "client_secret_post", "none"]),
        ("token_endpoint_auth_signing_alg_values_supported", ["HS256"]),
        ("userinfo_endpoint", f"{b}/authorization/whoami"),
        ("scopes_supported", scopes),
        ("response_types_supported", ["code"]),
        ("response_modes_supported", ["query"]),
        ("grant_types_supported", ["authorization_code", "client_credentials", "password", "refresh_token"]),
    ]
    if claims:
        members.append(("claims_supported", ["iss", "sub", "iat", "exp", "name", "preferred_username", "aud",
                                             "email"]))
    members.append(("service_documentation", "https://docs.fusio-project.org/"))
    return members


def additions(b: str) -> dict:
    return {
        "revocation_endpoint": f"{b}/authorization/revoke",
        "introspection_endpoint": f"{b}/authorization/introspect",
        "code_challenge_methods_supported": ["S256", "plain"],
    }


def get_doc(base_url: str, path: str) -> dict:
    r = requests.get(base_url + path, headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"GET {path}: HTTP {r.status_code}: {r.text[:300]}"
    body = assert_json(r)
    assert isinstance(body, dict), body
    return body


def compare_as_document(doc: dict, b: str, scopes: list[str], claims: bool) -> None:
    core = fusio_core(b, scopes, claims)
    extra = additions(b)
    for k, v in core:
        assert k in doc, f"member {k} missing"
        assert doc[k] == v, f"{k}: {doc[k]!r} != {v!r}"
    for k, v in extra.items():
        assert doc.get(k) == v, f"{k}: {doc.get(k)!r} != {v!r}"
    assert set(doc) == {k for k, _ in core} | set(extra), \
        f"unexpected members {set(doc) - {k for k, _ in core} - set(extra)}, missing " \
        f"{({k for k, _ in core} | set(extra)) - set(doc)}"
    assert [k for k in doc if k not in extra] == [k for k, _ in core], "Fusio's members keep §3.7's order"
    for absent in ("jwks_uri", "claims_supported") if not claims else ("jwks_uri",):
        assert absent not in doc


def current(base_url: str, path: str, db) -> dict:
    """The document once it agrees with the database's scope list (the server caches fusio_scope for a second)."""
    def agree():
        doc = get_doc(base_url, path)
        return doc if doc.get("scopes_supported") == scopes_supported(db) else None
    return poll(agree, f"{path} lists the scopes of category 1")


# ============================================================================= member by member
@pytest.mark.webserver
def test_openid_configuration(base_url, app_url, db):
    doc = current(base_url, OIDC, db)
    compare_as_document(doc, app_url, scopes_supported(db), claims=True)


@pytest.mark.webserver
def test_oauth_authorization_server(base_url, app_url, db):
    doc = current(base_url, AS, db)
    compare_as_document(doc, app_url, scopes_supported(db), claims=False)


def test_authorization_server_metadata_is_valid_rfc8414(base_url, db):
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
    AuthorizationServerMetadata(current(base_url, AS, db)).validate()


def test_fresh_install_scopes(db):
    # on the seeded database category 1 holds "default"; tests add more, the documents follow the table
    assert "default" in scopes_supported(db)


@pytest.mark.webserver
@pytest.mark.parametrize("suffix", ["", "/some/path", "/v1/things/42"])
def test_oauth_protected_resource(suffix, base_url, app_url, db):
    def agree():
        doc = get_doc(base_url, PR + suffix)
        return doc if doc.get("scopes_supported") == scopes_supported(db) else None
    doc = poll(agree, f"{PR}{suffix} lists the scopes of category 1")
    expected = {
        "resource": app_url + suffix,
        "authorization_servers": [app_url],
        "scopes_supported": scopes_supported(db),
        "bearer_methods_supported": ["header"],
        "resource_signing_alg_values_supported": ["HS256"],
    }
    assert doc == expected, f"\n got      {doc}\n expected {expected}"
    assert list(doc) == list(expected), "member order"


def test_scopes_supported_follows_the_table(base_url, db):
    # a new category-1 scope (also one with status 0: no status filter) shows up, one of another category does not,
    # and the order is the database's (utf8mb4_unicode_ci: case-insensitive, so "Disc…" sorts after "default")
    tag = secrets.token_hex(3)
    _, upper = create_scope(db, f"Disc{tag}", category="default")
    _, deleted = create_scope(db, f"disc{tag}del", category="default", status=0)
    _, other = create_scope(db, f"disc{tag}auth", category="authorization")
    doc = current(base_url, OIDC, db)
    assert upper in doc["scopes_supported"] and deleted in doc["scopes_supported"]
    assert other not in doc["scopes_supported"]
    assert doc["scopes_supported"].index("default") < doc["scopes_supported"].index(upper)
    assert current(base_url, AS, db)["scopes_supported"] == doc["scopes_supported"]


@pytest.mark.webserver
def test_documents_do_not_depend_on_the_host_header(base_url, app_url, db):
    # B is APP_URL, not the request's Host
    r = requests.get(base_url + OIDC, headers={"User-Agent": UA, "Host": "evil.example.net",
                                               "X-Forwarded-Host": "evil.example.net"}, timeout=20)
    assert r.status_code == 200, r.text[:300]
    assert "evil.example.net" not in r.text
    assert r.json()["issuer"] == app_url


def test_no_authentication_needed(base_url):
    # public documents: a broken Authorization header does not matter
    r = requests.get(base_url + OIDC, headers={"User-Agent": UA, "Authorization": "Bearer x.y.z"}, timeout=20)
    assert r.status_code == 200, r.text[:300]


def test_unknown_well_known_path_is_404(base_url):
    r = requests.get(base_url + "/.well-known/no-such-document", headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 404, r.text[:300]


# ============================================================================= CORS (§3.0)
@pytest.mark.webserver
@pytest.mark.parametrize("path", [OIDC, AS, PR, PR + "/some/path"])
def test_cors(path, base_url):
    check_cors(base_url, path, ["GET"])
    r = requests.get(base_url + path, headers={"User-Agent": UA, "Origin": "https://spa.example.org"}, timeout=20)
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") == "*", dict(r.headers)
    r = requests.get(base_url + path, headers={"User-Agent": UA}, timeout=20)
    assert "Access-Control-Allow-Origin" not in r.headers
