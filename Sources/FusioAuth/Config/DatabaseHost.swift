/// One entry of `FUSIO_AUTH_DB_HOSTS`: a database node reached over TCP. User, password and database name come
/// from `APP_CONNECTION`; the list only says where the nodes of a Galera cluster are.
public struct DatabaseHost: Sendable, Equatable, CustomStringConvertible {
    /// Without the brackets of an IPv6 literal, ready for the client library.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    static let key = "FUSIO_AUTH_DB_HOSTS"

    /// `HOST:PORT`, an IPv6 address in brackets: the form of the list, and what `/health` reports.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// A comma list of `host:port` entries (blanks around entries ignored). Every entry needs its port: a list
    /// of cluster nodes with an implied 3306 on some and not others is more often a typo than a wish. The same
    /// node twice would make a failover "move" to where it already is, so duplicates are refused too.
    public static func parseList(_ text: String) throws(ConfigurationError) -> [DatabaseHost] {
        var hosts: [DatabaseHost] = []
        for rawEntry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = rawEntry.trimmingBlanks()
            guard !entry.isEmpty else { throw failure("an entry is empty; expected host:port,host:port") }
            let host = try parse(entry)
            guard !hosts.contains(host) else { throw failure("\(host) is listed twice") }
            hosts.append(host)
        }
        return hosts
    }

    static func parse(_ entry: Substring) throws(ConfigurationError) -> DatabaseHost {
        let host: Substring
        let portText: Substring
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw failure("unterminated IPv6 address") }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let after = entry[entry.index(after: close)...]
            guard after.hasPrefix(":") else { throw failure("every entry needs a port: [address]:port") }
            portText = after.dropFirst()
        } else {
            guard let colon = entry.lastIndex(of: ":") else { throw failure("every entry needs a port: host:port") }
            host = entry[..<colon]
            guard !host.contains(":") else { throw failure("write an IPv6 address in brackets: [address]:port") }
            portText = entry[entry.index(after: colon)...]
        }
        guard !host.isEmpty, host.utf8.allSatisfy(isHostByte) else {
            throw failure("a host must be a name or an IP address")
        }
        guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = Int(portText), (1...65535).contains(port)
        else { throw failure("the port must be a number from 1 to 65535") }
        return DatabaseHost(host: String(host), port: port)
    }

    /// Letters, digits, `.`, `-`, `_` and the `:` of IPv6 (plus `%` for a zone): nothing that could smuggle a
    /// second option into the client library.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: ":"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }

    private static func failure(_ reason: String) -> ConfigurationError {
        ConfigurationError(key: key, reason: reason)
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
