/// What of a request goes into `fusio_log.header` and `.body`. PHP Fusio stores both verbatim — the
/// `/consumer/login` password and every bearer token in plain text, readable in the backend's log view
/// (reference §8.2 #16). Here the values of secret parameters become `***`, as do credentials in
/// `Authorization`-type headers (the scheme stays, so the log still tells Basic from Bearer) and cookies.
public enum LogRedaction {
    public static let mask = "***"
    /// Body parameters whose values are secrets wherever they appear (login, refresh, RFC 7009 revocation).
    static let secretParameters: Set<String> = ["password", "refresh_token", "client_secret", "token", "code_verifier"]

    /// `Name: value` lines joined by `\n`, names written as PHP writes them (`user-agent` → `User-Agent`).
    public static func header(_ headers: [(name: String, value: String)]) -> String {
        headers.map { name, value in
            let normalized = displayName(name)
            return normalized + ": " + redactedHeaderValue(normalized.lowercased(), value)
        }.joined(separator: "\n")
    }

    static func displayName(_ name: String) -> String {
        name.lowercased().split(separator: "-", omittingEmptySubsequences: false).map { part in
            part.prefix(1).uppercased() + part.dropFirst()
        }.joined(separator: "-")
    }

    static func redactedHeaderValue(_ lowercasedName: String, _ value: String) -> String {
        switch lowercasedName {
        case "authorization", "proxy-authorization":
            guard let space = value.firstIndex(of: " ") else { return mask }
            return value[..<space] + " " + mask
        case "cookie":
            return mask
        default:
            return value
        }
    }

    /// nil for an empty body (PHP stores NULL). A JSON body keeps its document with secret values masked; a
    /// form keeps its bytes except secret values; anything else that may mention a secret parameter is replaced
    /// whole, since its secrets cannot be found reliably.
    public static func body(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // Fast path: no secret name in the bytes, and no escape (`%70assword`, `\u0070assword`) that could spell one.
        if !secretParameters.contains(where: { text.contains($0) }), !bytes.contains(UInt8(ascii: "%")),
           !bytes.contains(UInt8(ascii: "\\")) {
            return text
        }
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            guard let document = try? JSONParser.parse(bytes) else { return unreadable(bytes.count) }
            return String(decoding: JSONWriter.encode(redacted(document)), as: UTF8.self)
        }
        if let form = redactedForm(text) { return form }
        return secretParameters.contains(where: { text.contains($0) }) ? unreadable(bytes.count) : text
    }

    private static func unreadable(_ count: Int) -> String {
        "[\(count) bytes not logged: they mention a secret parameter but are neither JSON nor a form]"
    }

    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.members.map { member in
                (member.key, secretParameters.contains(member.key) ? .string(mask) : redacted(member.value))
            }))
        case .array(let elements):
            return .array(elements.map(redacted))
        default:
            return value
        }
    }

    /// `a=1&password=x` → `a=1&password=***`; nil when it does not look like a form (a blank or control byte).
    static func redactedForm(_ text: String) -> String? {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else { return nil }
        return text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let decoded = String(name.map { $0 == "+" ? " " : $0 }).removingPercentEncodingIfPossible ?? String(name)
            let bare = decoded.hasSuffix("[]") ? String(decoded.dropLast(2)) : decoded
            return secretParameters.contains(bare) ? name + "=" + mask : String(pair)
        }.joined(separator: "&")
    }
}

extension StringProtocol {
    /// Percent-decoding without Foundation: nil when an escape is malformed or the bytes are not UTF-8.
    var removingPercentEncodingIfPossible: String? {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
