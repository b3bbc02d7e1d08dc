/// Where Fusio's MariaDB lives, read from the same `APP_CONNECTION` DSN that PHP hands to Doctrine's `DsnParser`.
///
/// The split follows PHP's `parse_url`, which is what Doctrine uses: the authority ends at the first `/`, `?` or
/// `#`; user information ends at the *last* `@`; user and password are separated by the first `:`. Every part is
/// rawurldecoded as Doctrine does, so a password containing `@`, `:` or `/` must be %-encoded in the DSN.
public struct DatabaseLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var scheme: String
    public var user: String
    public var password: String
    /// Without the brackets of an IPv6 literal, ready for the client library.
    public var host: String
    public var port: Int?
    public var database: String
    public var unixSocket: String?
    public var charset: String?

    public init(
        scheme: String, user: String, password: String, host: String, port: Int? = nil, database: String,
        unixSocket: String? = nil, charset: String? = nil
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.unixSocket = unixSocket
        self.charset = charset
    }

    private static let key = "APP_CONNECTION"
    private static let schemes: Set<String> = ["pdo-mysql", "pdo_mysql", "mysql", "mysqli"]

    public static func parse(_ dsn: String) throws(ConfigurationError) -> DatabaseLocation {
        let bytes = Array(dsn.utf8)
        guard let schemeEnd = firstRange(of: Array("://".utf8), in: bytes) else {
            throw failure("expected a DSN of the form pdo-mysql://user:password@host/database")
        }
        let scheme = String(decoding: bytes[..<schemeEnd], as: UTF8.self)
        guard schemes.contains(scheme) else {
            throw failure("unsupported scheme; expected pdo-mysql, pdo_mysql, mysql or mysqli")
        }

        var rest = bytes[(schemeEnd + 3)...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var pathAndQuery = rest[authorityEnd...]
        var query: ArraySlice<UInt8> = []
        if let mark = pathAndQuery.firstIndex(of: UInt8(ascii: "?")) {
            query = pathAndQuery[(mark + 1)...]
            pathAndQuery = pathAndQuery[..<mark]
        }

        guard let at = authority.lastIndex(of: UInt8(ascii: "@")) else { throw failure("the user is missing") }
        let userInfo = authority[..<at]
        let hostAndPort = authority[(at + 1)...]

        let rawUser: ArraySlice<UInt8>
        var rawPassword: ArraySlice<UInt8> = []
        if let colon = userInfo.firstIndex(of: UInt8(ascii: ":")) {
            rawUser = userInfo[..<colon]
            rawPassword = userInfo[(colon + 1)...]
        } else {
            rawUser = userInfo
        }
        let user = try decoded(rawUser, part: "user")
        guard !user.isEmpty else { throw failure("the user is missing") }
        let password = try decoded(rawPassword, part: "password")

        let (rawHost, port) = try splitHostAndPort(hostAndPort)
        let host = try decoded(rawHost, part: "host")
        guard !host.isEmpty else { throw failure("the host is missing") }

        let path = pathAndQuery.drop { $0 == UInt8(ascii: "/") }
        let database = try decoded(path, part: "database name")
        guard !database.isEmpty else { throw failure("the database name is missing") }

        let parameters = try queryParameters(query)
        return DatabaseLocation(
            scheme: scheme, user: user, password: password, host: host, port: port, database: database,
            unixSocket: parameters["unix_socket"].flatMap { $0.isEmpty ? nil : $0 },
            charset: parameters["charset"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    public var description: String {
        var text = "\(scheme)://\(user):****@"
        text += host.contains(":") ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        text += "/\(database)"
        var parameters: [String] = []
        if let unixSocket { parameters.append("unix_socket=\(unixSocket)") }
        if let charset { parameters.append("charset=\(charset)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    public var debugDescription: String { "DatabaseLocation(\(description))" }

    /// `dump()` and the debugger read the mirror, not `description`; without this they would print the password.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "scheme": scheme, "user": user, "password": "****", "host": host, "port": port as Any,
                "database": database, "unixSocket": unixSocket as Any, "charset": charset as Any,
            ],
            displayStyle: .struct
        )
    }

    private static func failure(_ reason: String) -> ConfigurationError {
        ConfigurationError(key: key, reason: reason)
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private static func splitHostAndPort(
        _ bytes: ArraySlice<UInt8>
    ) throws(ConfigurationError) -> (ArraySlice<UInt8>, Int?) {
        var host = bytes
        var portText: ArraySlice<UInt8>?
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else {
                throw failure("unterminated IPv6 host")
            }
            host = bytes[(bytes.startIndex + 1)..<close]
            let after = bytes[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw failure("invalid host") }
                portText = after.dropFirst()
            }
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            host = bytes[..<colon]
            portText = bytes[(colon + 1)...]
        }
        guard let portText else { return (host, nil) }
        guard !portText.isEmpty, portText.count <= 5,
            portText.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw failure("the port must be a number from 1 to 65535") }
        let port = portText.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard (1...65535).contains(port) else { throw failure("the port must be a number from 1 to 65535") }
        return (host, port)
    }

    /// Doctrine rawurldecodes the whole query and then `parse_str` urldecodes each pair again; doing both keeps a
    /// doubly encoded parameter meaning the same thing on either side.
    private static func queryParameters(
        _ query: ArraySlice<UInt8>
    ) throws(ConfigurationError) -> [String: String] {
        let once = percentDecoded(query, plusIsSpace: false)
        var result: [String: String] = [:]
        for pair in once.split(separator: UInt8(ascii: "&")) {
            let name: ArraySlice<UInt8>
            var value: ArraySlice<UInt8> = []
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[..<equals]
                value = pair[(equals + 1)...]
            } else {
                name = pair
            }
            guard let nameText = utf8String(percentDecoded(name, plusIsSpace: true)),
                let valueText = utf8String(percentDecoded(value, plusIsSpace: true))
            else { throw failure("a query parameter is not valid UTF-8 after decoding") }
            result[nameText] = valueText
        }
        return result
    }

    private static func decoded(_ bytes: ArraySlice<UInt8>, part: String) throws(ConfigurationError) -> String {
        guard let text = utf8String(percentDecoded(bytes, plusIsSpace: false)) else {
            throw failure("the \(part) is not valid UTF-8 after decoding")
        }
        return text
    }

    /// `String(validating:)` needs macOS 15; the package still targets 14.
    private static func utf8String(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }

    /// PHP's decoders keep a `%` that does not start a valid escape, so this does too.
    private static func percentDecoded(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count, let high = hexValue(input[index + 1]),
                let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
