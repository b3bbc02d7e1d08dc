/// Everything the service needs from Fusio's configuration. It must agree with what PHP reads, or the two sides
/// issue tokens with different `iss`, `sub` or keys.
public struct Settings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Used verbatim as PHP does: a trailing slash changes `iss` and `sub`.
    public var baseURL: String
    public var projectKey: [UInt8]
    public var database: DatabaseLocation
    /// `FUSIO_AUTH_DB_HOSTS`: the nodes of a Galera cluster, in the order threads fail over; empty = connect to
    /// `database`'s host (or socket) only. With nodes, `database` still gives user, password and schema.
    public var databaseHosts: [DatabaseHost] = []
    /// `FUSIO_AUTH_DB_FAILBACK`: with `databaseHosts`, the seconds a thread that failed over stays on a later node
    /// before it tries the earlier ones again, between requests (default 30; 0 = stay).
    public var databaseFailBackSeconds = 30
    public var tenantID: String?
    public var trustedIPHeader: String?
    public var tokenLifetime: ISODuration
    public var refreshLifetime: ISODuration
    public var abuse: AbuseSettings = .defaults
    /// `FUSIO_AUTH_QUEUE_TIMEOUT`: how long a request may wait for a worker thread before it is answered 503
    /// with Retry-After (seconds, or milliseconds with `ms`; default 2 s).
    public var queueTimeoutMilliseconds = 2000

    public init(
        baseURL: String, projectKey: [UInt8], database: DatabaseLocation, tenantID: String? = nil,
        trustedIPHeader: String? = nil, tokenLifetime: ISODuration, refreshLifetime: ISODuration
    ) {
        self.baseURL = baseURL
        self.projectKey = projectKey
        self.database = database
        self.tenantID = tenantID
        self.trustedIPHeader = trustedIPHeader
        self.tokenLifetime = tokenLifetime
        self.refreshLifetime = refreshLifetime
    }

    /// A variable present in `environment` wins even when empty, as with symfony/dotenv, which never overwrites a
    /// variable the process already has.
    public static func load(
        file: [String: String], environment: [String: String]
    ) throws(ConfigurationError) -> Settings {
        func value(_ key: String) -> String? { environment[key] ?? file[key] }

        // PHP would auto-detect the URL from client headers when it is empty (§8.2 #18); refuse instead.
        guard let baseURL = value("APP_URL"), !baseURL.isEmpty else {
            throw ConfigurationError(key: "APP_URL", reason: "required")
        }
        guard isAbsoluteHTTPURL(baseURL) else {
            throw ConfigurationError(key: "APP_URL", reason: "must be an absolute http or https URL")
        }

        guard let keyText = value("APP_PROJECT_KEY"), !keyText.isEmpty else {
            throw ConfigurationError(key: "APP_PROJECT_KEY", reason: "required")
        }
        let projectKey = Array(keyText.utf8)
        // Fusio 8.8 refuses shorter HS256 keys too.
        guard projectKey.count >= 32 else {
            throw ConfigurationError(key: "APP_PROJECT_KEY", reason: "must be at least 32 bytes long")
        }

        guard let connection = value("APP_CONNECTION"), !connection.isEmpty else {
            throw ConfigurationError(key: "APP_CONNECTION", reason: "required")
        }
        let database = try DatabaseLocation.parse(connection)

        var tenantID: String?
        if let tenant = value("APP_TENANT_ID"), !tenant.isEmpty {
            guard (3...64).contains(tenant.utf8.count), tenant.utf8.allSatisfy(isTenantByte) else {
                throw ConfigurationError(
                    key: "APP_TENANT_ID", reason: "must be 3 to 64 characters from A-Z, a-z, 0-9 and _")
            }
            tenantID = tenant
        }

        var trustedIPHeader: String?
        if let header = value("APP_TRUSTED_IP_HEADER"), !header.isEmpty {
            guard header.utf8.allSatisfy(isTokenByte) else {
                throw ConfigurationError(key: "APP_TRUSTED_IP_HEADER", reason: "must be a valid HTTP header name")
            }
            trustedIPHeader = header
        }

        var settings = Settings(
            baseURL: baseURL, projectKey: projectKey, database: database, tenantID: tenantID,
            trustedIPHeader: trustedIPHeader,
            tokenLifetime: try duration("FUSIO_EXPIRE_TOKEN", value("FUSIO_EXPIRE_TOKEN"), default: "P2D"),
            refreshLifetime: try duration("FUSIO_EXPIRE_REFRESH", value("FUSIO_EXPIRE_REFRESH"), default: "P3D")
        )
        settings.abuse = try AbuseSettings.load(value)
        if let hosts = value(DatabaseHost.key), !hosts.isEmpty {
            settings.databaseHosts = try DatabaseHost.parseList(hosts)
        }
        if let text = value("FUSIO_AUTH_DB_FAILBACK"), !text.isEmpty {
            guard text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int(text),
                  seconds <= 86_400 else {
                throw ConfigurationError(key: "FUSIO_AUTH_DB_FAILBACK", reason: "must be 0 to 86400 seconds")
            }
            settings.databaseFailBackSeconds = seconds
        }
        if let text = value("FUSIO_AUTH_QUEUE_TIMEOUT"), !text.isEmpty {
            guard let milliseconds = milliseconds(text), (1...600_000).contains(milliseconds) else {
                throw ConfigurationError(key: "FUSIO_AUTH_QUEUE_TIMEOUT", reason: "must be 1ms to 600 seconds, e.g. 2 or 500ms")
            }
            settings.queueTimeoutMilliseconds = milliseconds
        }
        return settings
    }

    public var description: String {
        "Settings(baseURL: \(baseURL), projectKey: ****, database: \(database), "
            + "databaseHosts: \(databaseHosts), databaseFailBackSeconds: \(databaseFailBackSeconds), "
            + "tenantID: \(tenantID ?? "nil"), trustedIPHeader: \(trustedIPHeader ?? "nil"), "
            + "tokenLifetime: \(tokenLifetime), refreshLifetime: \(refreshLifetime), "
            + "queueTimeoutMilliseconds: \(queueTimeoutMilliseconds))"
    }

    public var debugDescription: String { description }

    /// `dump()` and the debugger read the mirror, not `description`; without this they would print the key.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": baseURL, "projectKey": "****", "database": database, "databaseHosts": databaseHosts, "tenantID": tenantID as Any,
                "trustedIPHeader": trustedIPHeader as Any, "tokenLifetime": tokenLifetime,
                "refreshLifetime": refreshLifetime,
            ],
            displayStyle: .struct
        )
    }

    private static func duration(
        _ key: String, _ text: String?, default fallback: String
    ) throws(ConfigurationError) -> ISODuration {
        let text = text.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        do {
            return try ISODuration(parsing: text)
        } catch {
            throw ConfigurationError(key: key, reason: "must be an ISO-8601 duration such as \(fallback)")
        }
    }

    /// "2", "2s", "1.5" (seconds) or "500ms".
    static func milliseconds(_ text: String) -> Int? {
        if text.hasSuffix("ms") { return Int(text.dropLast(2)) }
        let seconds = text.hasSuffix("s") ? text.dropLast() : Substring(text)
        guard seconds.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(seconds),
              value.isFinite else { return nil }
        return Int((value * 1000).rounded())
    }

    private static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        // Control characters, blanks and non-ASCII would end up in `iss` and in every `sub` hash.
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let lower = bytes.map { $0 | (($0 >= 0x41 && $0 <= 0x5A) ? 0x20 : 0) }
        let prefixLength: Int
        if lower.starts(with: Array("https://".utf8)) {
            prefixLength = 8
        } else if lower.starts(with: Array("http://".utf8)) {
            prefixLength = 7
        } else {
            return false
        }
        guard let first = bytes.dropFirst(prefixLength).first else { return false }
        return first != UInt8(ascii: "/") && first != UInt8(ascii: "?") && first != UInt8(ascii: "#")
    }

    private static func isTenantByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z"))
    }
}
