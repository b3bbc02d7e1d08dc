/// Which requests check a password, judged before they run so they start on the password lane. A guess only
/// saves work: a request that reaches bcrypt on the standard lane is handed over anyway (`PasswordCheckLane`),
/// and one guessed wrongly the other way just runs on the password lane.
public enum PasswordRoutes {
    public static func checksPassword(method: String, requestURI: String, body: [UInt8]) -> Bool {
        guard method == "POST" else { return false }
        let path = requestURI[..<(requestURI.utf8.firstIndex(of: UInt8(ascii: "?")) ?? requestURI.endIndex)]
        switch path {
        case "/consumer/login", "/authorization/authorize":
            return true
        case "/authorization/token":
            return grantsByPassword(body)
        default:
            return false
        }
    }

    private static let grantType = Array("grant_type".utf8)
    private static let password = Array("password".utf8)

    /// `grant_type=password` in a form, or `"grant_type": "password"` in JSON.
    static func grantsByPassword(_ body: [UInt8]) -> Bool {
        var start = 0
        while let found = firstIndex(of: grantType, in: body, from: start) {
            var index = found + grantType.count
            // Skip what may stand between name and value: `=` in a form; `"`, blanks and `:` in JSON.
            while index < body.count, [UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: " ")].contains(body[index]) {
                index += 1
            }
            if body.count - index >= password.count, body[index..<(index + password.count)].elementsEqual(password) {
                let end = index + password.count
                if end == body.count || [UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: " ")].contains(body[end]) { return true }
            }
            start = found + 1
        }
        return false
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
