"""The HTML consent page in a real browser (issue 11, item 6): headless Chromium driven by Selenium through nginx.

Sign in, untick a scope, Allow -> the browser lands on the client's redirect URI with `code` and `state`, and the
code exchanges for a token with exactly the scope left ticked; Deny -> `error=access_denied`. The redirect target is
a real HTTP server of the test on 127.0.0.1 (the app's URL): only a browser that was allowed to follow the 302 (the
page's CSP `form-action` applies to it in Chromium) reaches it, which a mere look at `current_url` would not prove.
The browser console must show no CSP violation; a control test shows that a violation does reach that log.

Debian's chromium and chromium-driver (scripts/lib/common.sh FA_PACKAGES) and selenium (scripts/test's venv) are
required: a missing piece FAILS the test; FA_NO_BROWSER=1 is the only way to skip it. The consent page's
screenshot is kept as FA_RUN_DIR/artifacts/browser-consent.png.
"""

from __future__ import annotations

import http.server
import os
import re
import secrets
import shutil
import subprocess
import threading
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import App, User, create_app, create_user, decode_jwt, q1, wait_until
from resourcelib import CODE_RE, TOKEN, UA, authorize_url

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as e:   # reported by the fixture as a failure, not as a collection error of the whole suite
    webdriver = None
    SELENIUM_IMPORT_ERROR = e

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUESTED = ("authorization", "default")
KEPT = "authorization"          # the scope left ticked; the other one is unticked in the browser
CSP_MARKERS = ("Content Security Policy", "Refused to")   # older Chromium words it "Refused to ...", newer "violates"
PAGE_TIMEOUT = 20


# ----------------------------------------------------------------------------- the client's redirect target
class RedirectTarget:
    """A tiny HTTP server on 127.0.0.1 standing in for the client application: records every request path but the
    favicon's."""

    def __init__(self):
        seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                if self.path == "/favicon.ico":    # the browser's own request, not part of the client's flow
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                seen.append(self.path)
                body = b"<!DOCTYPE html><title>client callback</title><p>callback received</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):   # the callback URL holds a code: keep it out of the test output
                pass

        self.seen = seen
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def client_site():
    target = RedirectTarget()
    yield target
    target.close()


@pytest.fixture(scope="module")
def owner() -> User:
    return create_user("Consumer")


@pytest.fixture(scope="module")
def client_app(owner, client_site) -> App:
    return create_app(owner, "authorization,consumer,default", url=client_site.url)


# ----------------------------------------------------------------------------- the browser
@pytest.fixture(scope="module")
def browser(run_dir):
    if os.environ.get("FA_NO_BROWSER") == "1":
        pytest.skip("FA_NO_BROWSER=1: browser tests switched off explicitly")
    if webdriver is None:
        pytest.fail(f"selenium is not installed in the test virtualenv ({SELENIUM_IMPORT_ERROR})", pytrace=False)
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not shutil.which(path):
            pytest.fail(f"{path} not found: install Debian's {package} (scripts/test does) or set FA_NO_BROWSER=1",
                        pytrace=False)
    profile = run_dir / "browser-profile"
    shutil.rmtree(profile, ignore_errors=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox",   # root in a container: Chromium's sandbox cannot start
                "--disable-dev-shm-usage", "--disable-gpu", "--window-size=900,1000", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                "--no-default-browser-check", f"--user-data-dir={profile}"):   # no traffic but to 127.0.0.1
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager would otherwise try to download a driver. No driver log: it would
    # record the typed password.
    service = Service(executable_path=CHROMEDRIVER, log_output=subprocess.DEVNULL)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as e:
        pytest.fail(f"Chromium did not start: {e.msg}", pytrace=False)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def console(browser):
    """The browser console of this test alone: get_log drains what earlier tests left."""
    browser.get_log("browser")
    return lambda: browser.get_log("browser")


def csp_violations(entries: list[dict]) -> list[str]:
    return [e["message"] for e in entries
            if e.get("source") == "security" or any(m in e["message"] for m in CSP_MARKERS)]


def open_consent(browser, base_url: str, app: App, redirect: str, state: str):
    browser.get(authorize_url(base_url, app.key, redirect, ",".join(REQUESTED), state))
    assert browser.title == f"Authorize {app.name}", f"not the consent page: {browser.title!r}"


def sign_in(browser, user: User) -> None:
    browser.find_element(By.ID, "username").send_keys(user.name)
    browser.find_element(By.ID, "password").send_keys(user.password)


def scope_boxes(browser) -> dict[str, object]:
    """Scope name -> its checkbox, found through the label a person reads."""
    boxes = {}
    for box in browser.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name^=scope_]"):
        label = browser.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
        boxes[label.text.split()[0]] = box
    return boxes


def landed(browser, client_site: RedirectTarget, redirect: str) -> dict[str, str]:
    """Waits until the browser shows the client's callback page; returns the callback's query."""
    wait_until(lambda: browser.current_url.startswith(redirect + "?") and client_site.seen, PAGE_TIMEOUT,
               what=f"the browser to land on {redirect}")
    assert len(client_site.seen) == 1, f"the client was called {len(client_site.seen)} times"
    path = client_site.seen.pop()
    assert browser.current_url == client_site.url + path, "the browser shows the request the client received"
    assert path.startswith(urllib.parse.urlsplit(redirect).path + "?"), path
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True))


def keep_screenshot(browser, run_dir: Path, name: str, capsys) -> Path:
    artifacts = run_dir / "artifacts"
    artifacts.mkdir(exist_ok=True)
    path = artifacts / f"{name}.png"
    assert browser.save_screenshot(str(path)), "screenshot failed"
    assert path.stat().st_size > 1000, "empty screenshot"
    with capsys.disabled():
        print(f"\n  screenshot: {path}")
    return path


# ----------------------------------------------------------------------------- tests
def test_allow_with_one_scope_unticked_lands_on_client_and_code_gives_that_scope(
        browser, console, base_url, app_url, project_key, db, owner, client_app, client_site, run_dir, capsys):
    redirect = client_site.url + "/oauth/callback"
    state = secrets.token_urlsafe(16)
    open_consent(browser, base_url, client_app, redirect, state)
    boxes = scope_boxes(browser)
    assert set(boxes) == set(REQUESTED), f"the page offers {sorted(boxes)}, asked for {REQUESTED}"
    assert all(b.is_selected() for b in boxes.values()), "every requested scope starts ticked"

    sign_in(browser, owner)
    for name, box in boxes.items():
        if name != KEPT:
            box.click()
    assert [n for n, b in boxes.items() if b.is_selected()] == [KEPT]
    keep_screenshot(browser, run_dir, "browser-consent", capsys)
    browser.find_element(By.CSS_SELECTOR, "button[name=allow]").click()

    params = landed(browser, client_site, redirect)
    assert set(params) == {"code", "state"}, params
    assert params["state"] == state
    assert re.match(CODE_RE, params["code"]), params["code"]
    assert csp_violations(console()) == []

    r = requests.post(base_url + TOKEN, data={"grant_type": "authorization_code", "code": params["code"],
                                              "redirect_uri": redirect},
                      auth=(client_app.key, client_app.secret), headers={"User-Agent": UA}, timeout=20)
    assert r.status_code == 200, f"code exchange: HTTP {r.status_code}: {r.text[:300]}"
    token = r.json()
    assert token["scope"] == KEPT, token["scope"]
    jwt = decode_jwt(token["access_token"], project_key)
    assert jwt.signature_ok and jwt.claims["iss"] == app_url, jwt.claims
    row = q1(db, "SELECT user_id, app_id, scope FROM fusio_token WHERE token = %s", (token["access_token"],))
    assert row == {"user_id": owner.id, "app_id": client_app.id, "scope": KEPT}, row


def test_deny_lands_on_client_with_access_denied(browser, console, base_url, owner, client_app, client_site):
    redirect = client_site.url + "/oauth/callback"
    state = secrets.token_urlsafe(16)
    open_consent(browser, base_url, client_app, redirect, state)
    sign_in(browser, owner)
    browser.find_element(By.CSS_SELECTOR, "button[name=deny]").click()

    params = landed(browser, client_site, redirect)
    assert params.get("error") == "access_denied", params
    assert params.get("state") == state, params
    assert "code" not in params, params
    assert csp_violations(console()) == []


def test_console_check_sees_a_csp_violation(browser, console, base_url, client_app, client_site):
    """Control: without it, an empty list above could mean the log is not read at all."""
    open_consent(browser, base_url, client_app, client_site.url + "/oauth/callback", "control")
    assert csp_violations(console()) == []
    # The page's CSP (default-src 'none') must refuse an image; WebDriver's script itself is exempt from CSP.
    browser.execute_script("const i = new Image(); i.src = arguments[0]; document.body.appendChild(i);",
                           client_site.url + "/pixel.png")
    found = wait_until(lambda: csp_violations(console()), 10, interval=0.1, what="a CSP violation in the console")
    assert "img-src" in found[0] or "default-src" in found[0], found
    assert client_site.seen == [], "the blocked image must not have been fetched"
