import FusioAuth
import FusioAuthHTTP
import FusioCrypto
import Testing

@Suite struct AuthorizePageTests {
    static let hostile = #"<script>"'&"#
    static let escaped = "&lt;script&gt;&quot;&#39;&amp;"

    func html(_ page: AuthorizePage) -> String { String(decoding: page.render(), as: UTF8.self) }

    func header(_ name: String, in headers: [(String, String)] = AuthorizePage.headers) -> String? {
        headers.first { $0.0 == name }?.1
    }

    static func page(error: String? = nil) -> AuthorizePage {
        AuthorizePage(
            appName: "Foo-App", appURL: "https://foo.example/app",
            scopes: [.init(id: 3, name: "foo", description: "Foo access"), .init(id: 14, name: "bar", description: "")],
            csrfToken: "1700000600.abc-_", error: error)
    }

    @Test func everyDynamicFieldIsEscaped() {
        let page = AuthorizePage(
            appName: "app" + Self.hostile, appURL: "javascript:alert(1)//" + Self.hostile,
            scopes: [.init(id: 7, name: "name" + Self.hostile, description: "desc" + Self.hostile)],
            csrfToken: "csrf" + Self.hostile, error: "error" + Self.hostile)
        let text = html(page)
        #expect(!text.contains("<script"))
        #expect(!text.contains("\"'"))
        for prefix in ["app", "javascript:alert(1)//", "name", "desc", "csrf", "error"] {
            #expect(text.contains(prefix + Self.escaped), "\(prefix) not escaped")
        }
        // The app URL is shown as text, never as a link.
        #expect(!text.contains("href"))
        let message = String(decoding: AuthorizePage.message(title: "t" + Self.hostile, message: "m" + Self.hostile),
                             as: UTF8.self)
        #expect(message.contains("t" + Self.escaped))
        #expect(message.contains("m" + Self.escaped))
        #expect(!message.contains("<script"))
    }

    @Test func formHasFusiosFields() {
        let text = html(Self.page())
        #expect(text.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(text.contains("<main>"))
        #expect(text.contains("<h1>Authorize Foo-App</h1>"))
        #expect(text.contains("<form method=\"post\">"))
        #expect(!text.contains("action="))
        #expect(text.contains(#"<input type="hidden" name="csrf" value="1700000600.abc-_">"#))
        #expect(text.contains(#"<label for="username">"#))
        #expect(text.contains(#"id="username" name="username" autocomplete="username""#))
        #expect(text.contains(#"<label for="password">"#))
        #expect(text.contains(#"type="password" id="password" name="password" autocomplete="current-password""#))
        #expect(text.contains(#"<input type="checkbox" id="scope_3" name="scope_3" value="on" checked> <label for="scope_3">foo <span>Foo access</span></label>"#))
        #expect(text.contains(#"<input type="checkbox" id="scope_14" name="scope_14" value="on" checked> <label for="scope_14">bar</label>"#))
        #expect(text.contains(#"<button type="submit" name="allow" value="Allow">Allow</button>"#))
        #expect(text.contains(#"<button type="submit" name="deny" value="Deny">Deny</button>"#))
        #expect(!text.contains("role=\"alert\""))
        #expect(html(Self.page(error: "Provided invalid credentials"))
            .contains(#"<p class="error" role="alert">Provided invalid credentials</p>"#))
    }

    @Test func noScriptsNoExternalResourcesOneStyle() {
        for text in [html(Self.page()), String(decoding: AuthorizePage.message(title: "a", message: "b"), as: UTF8.self)] {
            #expect(!text.contains("<script"))
            #expect(!text.contains("<link"))
            #expect(!text.contains("src="))
            #expect(!text.contains("url("))
            #expect(!text.contains("@import"))
            #expect(text.ranges(of: "<style>").count == 1)
        }
    }

    @Test func cspHashMatchesTheInlineStyle() throws {
        for text in [html(Self.page()), String(decoding: AuthorizePage.message(title: "a", message: "b"), as: UTF8.self)] {
            let style = try #require(text.between("<style>", "</style>"))
            let digest = Base64.encode(SHA256.hash(Array(style.utf8)))
            let csp = try #require(header("Content-Security-Policy"))
            #expect(csp == "default-src 'none'; style-src 'sha256-\(digest)'; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'")
        }
    }

    @Test func headers() {
        #expect(header("Content-Type") == "text/html; charset=utf-8")
        #expect(header("X-Frame-Options") == "DENY")
        #expect(header("Referrer-Policy") == "no-referrer")
        #expect(header("Cache-Control") == "no-store")
        #expect(header("X-Content-Type-Options") == "nosniff")
        #expect(AuthorizePage.headers.count == 6)
    }

    // Chrome and Safari check form-action against the 302 that ends the consent POST.
    @Test(arguments: [
        ("https://client.example/cb?x=1", "'self' https://client.example"),
        ("http://localhost:8123/cb", "'self' http://localhost:8123"),
        ("HTTPS://A.Client.Example:443/cb", "'self' https://a.client.example:443"),
        ("http://[::1]:8123/cb", "'self' http:"),
        ("https://dev_box.example/cb", "'self' https:"),
    ])
    func formActionAllowsTheRedirectOrigin(redirect: String, formAction: String) throws {
        let uri = try #require(RedirectURI(redirect))
        let csp = try #require(header("Content-Security-Policy", in: AuthorizePage.headers(allowingRedirectTo: uri)))
        #expect(csp.contains("; form-action \(formAction); frame-ancestors 'none'"))
        #expect(header("Content-Security-Policy", in: AuthorizePage.headers(allowingRedirectTo: nil))
            == header("Content-Security-Policy"))
    }
}

private extension String {
    func between(_ start: String, _ end: String) -> String? {
        guard let open = firstRange(of: start), let close = self[open.upperBound...].firstRange(of: end) else {
            return nil
        }
        return String(self[open.upperBound..<close.lowerBound])
    }
}
