"""Tokens always fit fusio_token.token, VARCHAR(512) (issue 12 item 3).

PHP's access token has no `jti`; ours carries one, 16 random bytes as base64url (22 characters). For users with long
names and e-mails that would push our token past 512 characters, the `jti` shrinks to 8 bytes, then goes: every
user PHP can issue a token for gets one from us, stored whole. Where even PHP's token does not fit (PHP fails on
the INSERT there), we answer 500 `server_error` and store nothing. PHP's length is computed here from the same
claims without `jti`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from conftest import EXPIRE_P2D, App, create_app, decode_jwt, fusio_uuid, post_token, q, sql_create_user, unique
from grantlib import assert_oauth_error, assert_token_response, token_row

UA = "fusio-auth-tests/1.0 (token length)"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def php_token_length(app_url: str, key: bytes, user_id: int, name: str, email: str, app: App, iat: int, exp: int) -> int:
    """The length of the token PHP would issue: the §4.1 claims in PHP's order, no jti."""
    claims = {"iss": app_url, "sub": fusio_uuid(f"{app_url}-{user_id}"), "iat": iat, "exp": exp, "name": name,
              "preferred_username": name, "aud": app.key, "email": email}
    head = b64url(b'{"typ":"JWT","alg":"HS256"}')
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())   # the JWT payload keeps "/" unescaped
    sig = b64url(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return len(f"{head}.{body}.{sig}")


def test_long_names_and_emails_get_whole_tokens_up_to_where_php_fails(token_url, app_url, project_key, db):
    issued, shortened, dropped, refused = 0, 0, 0, 0
    # name + e-mail lengths from ordinary to beyond what any token can hold, within the columns (fusio_user.name
    # VARCHAR(64), email VARCHAR(128))
    for extra in range(0, 97, 3):
        name = (unique("n") + "x" * 200)[: min(30 + extra, 64)]
        email = ("e" * (20 + extra)) + "@example.org"
        user = sql_create_user(db, None, scopes=("authorization",), name=name)
        q(db, "UPDATE fusio_user SET email = %s WHERE id = %s", (email, user.id))
        user.email = email
        app = create_app(user, "authorization", name=unique("len-app-"))
        before = q(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (user.id,))[0]["n"]
        r = post_token(token_url, data={"grant_type": "client_credentials"}, auth=(app.key, app.secret),
                       headers={"User-Agent": UA})
        after = q(db, "SELECT COUNT(*) AS n FROM fusio_token WHERE user_id = %s", (user.id,))[0]["n"]
        if r.status_code == 200:
            body = assert_token_response(r)
            token = body["access_token"]
            jwt = decode_jwt(token, project_key)
            php = php_token_length(app_url, project_key, user.id, name, email, app, jwt.claims["iat"], jwt.claims["exp"])
            assert len(token) <= 512, f"name {len(name)}, email {len(email)}: token of {len(token)} characters"
            assert token_row(db, token)["token"] == token, "the stored token differs from the issued one"
            assert php <= 512, "we issued a token where PHP's (without jti) would not fit: the computation is off"
            jti = jwt.claims.get("jti")
            issued += 1
            if jti is None:
                dropped += 1
            elif len(jti) < 22:
                assert len(jti) == 11, jti
                shortened += 1
        else:
            # refused: only where PHP's own token is too long as well (iat/exp have the same number of digits now)
            now = int(time.time())
            php = php_token_length(app_url, project_key, user.id, name, email, app, now, now + EXPIRE_P2D[0])
            assert php > 512, f"refused a token PHP would issue ({php} characters): {r.text[:200]}"
            assert_oauth_error(r, 500, "server_error")
            assert after == before, "a refused token left a row"
            refused += 1
    assert issued and refused and (shortened or dropped), (issued, shortened, dropped, refused)
