import FusioAuth
import Testing

@Suite struct RedirectURITests {
    // (redirect_uri, app URL, allowed). Fusio's str_ends_with passes the evil-example.com row; we must not.
    @Test(arguments: [
        ("https://example.com/cb", "https://example.com", true),
        ("https://example.com/cb", "http://example.com/app?x=1", true),
        ("https://a.example.com/cb", "https://example.com", true),
        ("https://a.b.example.com/cb", "https://example.com", true),
        ("https://evil-example.com/cb", "https://example.com", false),
        ("https://example.com.evil.org/cb", "https://example.com", false),
        ("https://example.com/cb", "https://a.example.com", false),
        ("https://xample.com/cb", "https://example.com", false),
        ("HTTPS://A.EXAMPLE.COM/cb", "https://Example.Com", true),
        ("https://example.com:8443/cb", "https://example.com", true),
        ("https://example.com/cb", "https://example.com:8080/", true),
        ("https://example.com/cb", "https://user:pw@example.com/", true),
        ("http://127.0.0.1:8080/cb", "http://127.0.0.1", true),
        ("http://5.127.0.0.1/cb", "http://127.0.0.1", false),
        ("http://[::1]:8080/cb", "http://[::1]/", true),
        ("http://[::1]/cb", "http://[::2]/", false),
        ("http://[2001:DB8::1]/cb", "http://[2001:db8::1]", true),
        ("https://example.com/cb", "", false),
        ("https://example.com/cb", "example.com", false),
        ("https://example.com/cb", "https://", false),
    ])
    func hostRule(redirect: String, appURL: String, allowed: Bool) throws {
        let uri = try #require(RedirectURI(redirect))
        #expect(uri.isAllowed(forAppURL: appURL) == allowed)
    }

    @Test(arguments: [
        "https://user@example.com/cb",                  // userinfo
        "https://example.com@evil.org/cb",              // userinfo that looks like the host
        "https://:pw@example.com/cb",
        "https://example.com/cb#frag",                  // fragment
        "https://example.com/cb#",
        "javascript:alert(1)",
        "javascript://example.com/%0Aalert(1)",
        "ftp://example.com/file",
        "data:text/html,<script>",
        "http:example.com/cb",                          // no authority
        "http:/example.com/cb",
        "http:///cb",                                   // missing host
        "http://:8080/cb",
        "https://",
        "/relative/cb",
        "example.com/cb",
        "",
        "https://evil.org\\.example.com/cb",            // a browser goes to evil.org
        "https://example.com\\@evil.org/",
        "https://exa%6Dple.com/cb",
        "https://.example.com/cb",
        "https://a..example.com/cb",
        "https://example.com:99999/cb",                 // port out of range
        "https://example.com:80a/cb",
        "https://example.com:-1/cb",
        "http://[::1/cb",                               // IPv6 without closing bracket
        "http://[example.com]/cb",
        "http://[fe80::1%25eth0]/cb",                   // zone identifier
        "http://[::1]x/cb",
        " https://example.com/cb",                      // whitespace and controls
        "https://example.com/cb ",
        "https://example.com/c b",
        "https://example.com/\tcb",
        "https://example.com/\ncb",
        "https://example.com/\u{7F}",
        "https://example.com/\u{0}",
        "https://example.com/\u{A0}",
        "https://example.com/\u{2028}",
        "https://example.com/\u{202E}",
        "https://exämple.com/cb",                       // non-ASCII host
    ])
    func refused(_ raw: String) {
        #expect(RedirectURI(raw) == nil)
    }

    @Test func partsAreNormalisedAndRawIsKept() throws {
        let uri = try #require(RedirectURI("HTTPS://Example.COM:8443/Cb?A=1"))
        #expect(uri.raw == "HTTPS://Example.COM:8443/Cb?A=1")
        #expect(uri.scheme == "https")
        #expect(uri.host == "example.com")
        #expect(uri.port == 8443)

        let ipv6 = try #require(RedirectURI("http://[::FFFF:127.0.0.1]/cb"))
        #expect(ipv6.host == "::ffff:127.0.0.1")
        #expect(ipv6.port == nil)

        let emptyPort = try #require(RedirectURI("http://localhost:/cb"))
        #expect(emptyPort.host == "localhost")
        #expect(emptyPort.port == nil)

        #expect(RedirectURI("http://google.com")?.host == "google.com")
        #expect(RedirectURI("http://x.example?next=a@b")?.host == "x.example")
        #expect(RedirectURI("https://example.com/ü/cb")?.host == "example.com")
    }

    @Test func lengthLimitIs255Bytes() {
        let base = "https://example.com/"
        #expect(RedirectURI(base + String(repeating: "a", count: 255 - base.utf8.count)) != nil)
        #expect(RedirectURI(base + String(repeating: "a", count: 256 - base.utf8.count)) == nil)
    }

    // impl tests/Consumer/Api/Authorize/AuthorizeTest.php (§3.4.4)
    @Test func fusioTestVectors() throws {
        let uri = try #require(RedirectURI("http://google.com"))
        #expect(uri.replacingQuery(with: [("code", "0123456789abcdef"), ("state", "state")])
            == "http://google.com?code=0123456789abcdef&state=state")
        #expect(uri.replacingQuery(with: [
            ("error", "access_denied"), ("error_description", "The access was denied by the user"), ("state", "state"),
        ]) == "http://google.com?error=access_denied&error_description=The+access+was+denied+by+the+user&state=state")
    }

    @Test func queryIsReplacedNotMerged() throws {
        let uri = try #require(RedirectURI("https://example.com/cb?code=stolen&keep=1"))
        #expect(uri.replacingQuery(with: [("code", "abc")]) == "https://example.com/cb?code=abc")
    }

    @Test func encodingIsRFC1738() throws {
        let uri = try #require(RedirectURI("https://example.com/cb"))
        #expect(uri.replacingQuery(with: [("state", "a b+c&d=e/f?g#h~i*'é"), ("x y", "A-z_0.9")])
            == "https://example.com/cb?state=a+b%2Bc%26d%3De%2Ff%3Fg%23h%7Ei%2A%27%C3%A9&x+y=A-z_0.9")
    }

    @Test func nilValuesAreLeftOutAndEmptyQueryHasNoQuestionMark() throws {
        let uri = try #require(RedirectURI("https://example.com/cb?old=1"))
        #expect(uri.replacingQuery(with: [("code", "c"), ("state", nil)]) == "https://example.com/cb?code=c")
        #expect(uri.replacingQuery(with: [("state", nil)]) == "https://example.com/cb")
        #expect(uri.replacingQuery(with: []) == "https://example.com/cb")
        #expect(uri.replacingQuery(with: [("state", "")]) == "https://example.com/cb?state=")
    }
}
