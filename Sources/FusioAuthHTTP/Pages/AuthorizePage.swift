import FusioAuth

/// The HTML consent page of `GET|POST /authorization/authorize` (§3.4.1–3.4.2), with the fixes of §8.2 row 8:
/// every dynamic value escaped, a CSRF field, no framing, and a CSP that allows nothing but its own inline style.
///
/// Field names are Fusio's (`username`, `password`, `scope_<id>` = `on`, `allow` = `Allow`), so the POST handler
/// reads the same body PHP's template produces; `csrf` and `deny` are new.
public struct AuthorizePage: Sendable {
    public struct Scope: Sendable {
        public var id: Int
        public var name: String
        public var description: String

        public init(id: Int, name: String, description: String) {
            self.id = id
            self.name = name
            self.description = description
        }
    }

    public var appName: String
    public var appURL: String
    public var scopes: [Scope]
    public var csrfToken: String
    /// Shown above the form when set.
    public var error: String?

    public init(appName: String, appURL: String, scopes: [Scope], csrfToken: String, error: String? = nil) {
        self.appName = appName
        self.appURL = appURL
        self.scopes = scopes
        self.csrfToken = csrfToken
        self.error = error
    }

    /// A complete small HTML5 document: `<form method="post">` without action (posts back to the same URL, whose
    /// query carries the request), fields username, password (autocomplete attrs), one checkbox per scope named
    /// "scope_<id>" value "on" checked, hidden "csrf", submit buttons name="allow" value="Allow" and
    /// name="deny" value="Deny". Every dynamic value HTML-escaped. Accessible: `<label for>`, lang="en", a `<main>`
    /// and `<h1>`, works without JavaScript; no external resources; one inline `<style>` block.
    public func render() -> [UInt8] {
        let name = HTML.escape(appName)
        var body = "<h1>Authorize \(name)</h1>\n"
        if let error {
            body += "<p class=\"error\" role=\"alert\">\(HTML.escape(error))</p>\n"
        }
        body += "<p><strong>\(name)</strong>"
        if !appURL.isEmpty {
            // Text, never a link: the URL is whatever the app owner typed, `javascript:` included.
            body += " (<span class=\"url\">\(HTML.escape(appURL))</span>)"
        }
        body += " asks for access to your account. Sign in to allow or deny it.</p>\n"
        body += """
            <form method="post">
            <input type="hidden" name="csrf" value="\(HTML.escape(csrfToken))">
            <fieldset>
            <legend>Sign in</legend>
            <label for="username">Username or email</label>
            <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required>
            </fieldset>
            <fieldset>
            <legend>Requested access</legend>

            """
        if scopes.isEmpty {
            body += "<p>No access is requested.</p>\n"
        }
        for scope in scopes {
            let field = "scope_\(scope.id)"
            body += "<div class=\"scope\"><input type=\"checkbox\" id=\"\(field)\" name=\"\(field)\" value=\"on\" checked>"
            body += " <label for=\"\(field)\">\(HTML.escape(scope.name))"
            if !scope.description.isEmpty {
                body += " <span>\(HTML.escape(scope.description))</span>"
            }
            body += "</label></div>\n"
        }
        body += """
            </fieldset>
            <div class="actions">
            <button type="submit" name="allow" value="Allow">Allow</button>
            <button type="submit" name="deny" value="Deny">Deny</button>
            </div>
            </form>

            """
        return Self.document(title: "Authorize \(name)", body: body)
    }

    /// The response headers this page needs: Content-Type text/html; charset=utf-8, X-Frame-Options DENY,
    /// Content-Security-Policy "default-src 'none'; style-src 'sha256-<hash of the inline style>'; form-action 'self';
    /// frame-ancestors 'none'; base-uri 'none'", Referrer-Policy no-referrer, Cache-Control no-store,
    /// X-Content-Type-Options nosniff.
    ///
    /// For the consent form itself use `headers(allowingRedirectTo:)`: Chrome and Safari apply `form-action` to the
    /// redirects that follow a form submission, so with `'self'` alone the final 302 to the client is blocked.
    public static var headers: [(String, String)] { Self.headers(allowingRedirectTo: nil) }

    /// `headers`, with the origin of `redirect` added to `form-action` (the validated `redirect_uri` of the request
    /// the form belongs to). A host CSP cannot name (an IPv6 literal, a name with `_`) is allowed by its scheme.
    public static func headers(allowingRedirectTo redirect: RedirectURI?) -> [(String, String)] {
        var formAction = "'self'"
        if let redirect { formAction += " " + cspSource(for: redirect) }
        return [
            ("Content-Type", "text/html; charset=utf-8"),
            ("X-Frame-Options", "DENY"),
            ("Content-Security-Policy",
             "default-src 'none'; style-src '\(styleHash)'; form-action \(formAction); frame-ancestors 'none'; "
                + "base-uri 'none'"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
    }

    /// A small page for errors/results (same headers): title + escaped message.
    public static func message(title: String, message: String) -> [UInt8] {
        let title = HTML.escape(title)
        return document(title: title, body: "<h1>\(title)</h1>\n<p>\(HTML.escape(message))</p>\n")
    }

    // MARK: - Document

    /// The only style on any page. Changing it changes `styleHash`; the unit test recomputes the digest.
    static let style =
        "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}"
        + "main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #d6d9e0;"
        + "border-radius:8px}"
        + "h1{font-size:1.4rem;margin:0 0 1rem}"
        + "fieldset{border:0;margin:0 0 1rem;padding:0}"
        + "legend{font-weight:600;margin-bottom:.5rem}"
        + "input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.5rem;"
        + "margin:.25rem 0 .75rem;border:1px solid #8a90a0;border-radius:4px;font:inherit}"
        + ".scope{display:flex;gap:.5rem;align-items:flex-start;margin:.25rem 0}"
        + ".scope span{display:block;color:#4a5060;font-size:.9rem}"
        + ".error{background:#fdecec;border:1px solid #d33;color:#8a1010;padding:.5rem .75rem;border-radius:4px}"
        + ".url{word-break:break-all}"
        + ".actions{display:flex;gap:.75rem}"
        + "button{font:inherit;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #8a90a0;background:#fff;"
        + "color:#1d2330;cursor:pointer}"
        + "button[value=Allow]{background:#1d5fd6;border-color:#1d5fd6;color:#fff}"
        + ":focus-visible{outline:3px solid #f0a000;outline-offset:2px}"

    /// CSP hash-source of `style`: base64(SHA-256(style)). A constant because this module has no digest of its own
    /// (FusioCrypto sits below FusioAuth); `AuthorizePageTests` checks it against the rendered style.
    static let styleHash = "sha256-y1S8AqzfLeNv5EBGA7jZGDJszjW9RAochiAJI9DzTiU="

    private static func document(title: String, body: String) -> [UInt8] {
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(title)</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
        return Array(html.utf8)
    }

    /// CSP host-source grammar only has letters, digits, `-` and `.` for hosts.
    private static func cspSource(for redirect: RedirectURI) -> String {
        let nameable = redirect.host.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard nameable else { return redirect.scheme + ":" }
        return redirect.scheme + "://" + redirect.host + (redirect.port.map { ":\($0)" } ?? "")
    }
}
