/// A `redirect_uri` of the authorization-code flow, parsed strictly enough that the host we check is the host a
/// browser will go to.
///
/// Fusio (§3.4.3) accepts any URL psx-uri can parse with scheme http(s) and a host, and then checks the host with
/// `str_ends_with`. This type refuses everything a browser could read differently from us: userinfo
/// (`https://example.com@evil.org`), a backslash or `%` in the authority (`https://evil.org\.example.com` is
/// `evil.org` to a browser), whitespace and control characters, and fragments (RFC 6749 §3.1.2).
public struct RedirectURI: Sendable, Equatable {
    /// Exactly as given: the token request has to send the same string back (§3.4.5).
    public let raw: String
    /// `"http"` or `"https"`, lowercased.
    public let scheme: String
    /// Lowercased, without the port; an IPv6 literal without its brackets.
    public let host: String
    /// The explicit port, if any (`http://localhost:8080/cb` → 8080); needed to name the origin.
    public let port: Int?

    /// nil unless `raw` is an absolute http(s) URL with a host, no userinfo ("user@host" is refused: a classic
    /// phishing vector), no fragment (RFC 6749 §3.1.2), no whitespace/control characters, ≤ 255 bytes.
    public init?(_ raw: String) {
        let bytes = Array(raw.utf8)
        guard !bytes.isEmpty, bytes.count <= 255, !bytes.contains(UInt8(ascii: "#")),
              raw.unicodeScalars.allSatisfy(Self.isPermitted)
        else { return nil }

        // Scheme, then "//": without an authority there is no host.
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let scheme = Self.asciiLowercased(bytes[..<colon])
        guard scheme == "http" || scheme == "https",
              bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }

        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
            ?? bytes.endIndex
        guard let (host, port) = Self.parseAuthority(bytes[authorityStart..<authorityEnd]) else { return nil }

        self.raw = raw
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Host of the app URL equal to ours, or ours a subdomain of it on a dot boundary, ASCII case-insensitive
    /// (`a.example.com` passes for `example.com`; `evil-example.com` and `example.com.evil.org` do not).
    /// IP literals only match exactly. An app URL without `scheme://` or without a host allows nothing.
    public func isAllowed(forAppURL appURL: String) -> Bool {
        guard let appHost = Self.lenientHost(of: appURL) else { return false }
        let ours = Array(host.utf8)
        if ours == appHost { return true }
        // "5.1.2.3.4" is not a subdomain of "1.2.3.4", and IPv6 literals have no subdomains.
        let isIPLiteral = appHost.allSatisfy { Self.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
        guard !isIPLiteral, !host.utf8.contains(UInt8(ascii: ":")), ours.count > appHost.count else { return false }
        let boundary = ours.count - appHost.count - 1
        return ours[boundary] == UInt8(ascii: ".") && ours[(boundary + 1)...].elementsEqual(appHost)
    }

    /// Fusio's redirect: the query REPLACED (not merged) by `parameters` encoded like PHP http_build_query
    /// (RFC 1738: space → '+', unreserved A-Za-z0-9-_. kept, everything else %XX uppercase), nil values left out;
    /// no '?' when nothing remains. Fragment-free by construction.
    public func replacingQuery(with parameters: [(String, String?)]) -> String {
        let base = raw.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(raw[..<$0]) } ?? raw
        let query = parameters.compactMap { name, value in
            value.map { Self.formEncode(name) + "=" + Self.formEncode($0) }
        }
        return query.isEmpty ? base : base + "?" + query.joined(separator: "&")
    }

    // MARK: - Parsing

    /// Whitespace, control and invisible formatting characters are refused anywhere in the URL.
    private static func isPermitted(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value > 0x20 && scalar.value != 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate, .privateUse,
             .unassigned:
            return false
        default:
            return !scalar.properties.isWhitespace
        }
    }

    /// `host[:port]` or `[ipv6][:port]`; no userinfo. Host names are limited to letters, digits, `-`, `.` and
    /// `_`, with no empty label, so nothing in them can be decoded or reinterpreted by a browser.
    private static func parseAuthority(_ authority: ArraySlice<UInt8>) -> (String, Int?)? {
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }
        let hostPart: ArraySlice<UInt8>
        let rest: ArraySlice<UInt8>
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostPart = authority[(authority.startIndex + 1)..<close]
            rest = authority[(close + 1)...]
            guard isIPv6Literal(hostPart) else { return nil }
        } else {
            let colon = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
            hostPart = authority[..<colon]
            rest = authority[colon...]
            guard isRegisteredName(hostPart) else { return nil }
        }
        var port: Int?
        if !rest.isEmpty {
            guard rest.first == UInt8(ascii: ":") else { return nil }
            let digits = rest.dropFirst()
            if !digits.isEmpty {
                guard digits.count <= 5, digits.allSatisfy(isDigit) else { return nil }
                let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                guard value <= 65535 else { return nil }
                port = value
            }
        }
        return (asciiLowercased(hostPart), port)
    }

    private static func isRegisteredName(_ host: ArraySlice<UInt8>) -> Bool {
        guard !host.isEmpty, host.first != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for byte in host {
            let isDot = byte == UInt8(ascii: ".")
            if isDot && previousWasDot { return false }
            previousWasDot = isDot
            guard isDot || isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else {
                return false
            }
        }
        return true
    }

    /// Hex digits, colons and dots (embedded IPv4) with at least two colons; no zone identifier, no IPvFuture.
    private static func isIPv6Literal(_ host: ArraySlice<UInt8>) -> Bool {
        guard host.count >= 2, host.count <= 45, host.filter({ $0 == UInt8(ascii: ":") }).count >= 2 else {
            return false
        }
        return host.allSatisfy { byte in
            isDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
        }
    }

    /// The host of a registered app URL, read leniently (it was typed by an app owner, not by an attacker):
    /// after `scheme://`, up to the path, without userinfo and port, lowercased.
    private static func lenientHost(of url: String) -> [UInt8]? {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              bytes[..<colon].allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
                  || $0 == UInt8(ascii: ".") }),
              bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        let start = colon + 3
        let end = bytes[start...].firstIndex {
            $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "\\")
        } ?? bytes.endIndex
        var authority = bytes[start..<end]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        let host: ArraySlice<UInt8>
        if authority.first == UInt8(ascii: "["), let close = authority.firstIndex(of: UInt8(ascii: "]")) {
            host = authority[(authority.startIndex + 1)..<close]
        } else {
            host = authority[..<(authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex)]
        }
        guard !host.isEmpty else { return nil }
        return Array(asciiLowercased(host).utf8)
    }

    // MARK: - Bytes

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func asciiLowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 },
               as: UTF8.self)
    }

    /// PHP `http_build_query` (PHP_QUERY_RFC1738), the same rule as `FormURLEncoded.encode` in FusioAuthHTTP.
    private static func formEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") {
                output.append(byte)
            } else if byte == UInt8(ascii: " ") {
                output.append(UInt8(ascii: "+"))
            } else {
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
