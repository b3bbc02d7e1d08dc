/// Firewall (§6, shared with PHP through `fusio_firewall*`), trusted proxies and per-account login throttling.
public struct AbuseSettings: Sendable {
    /// `FUSIO_TRUSTED_PROXIES`: peers whose forwarding header is believed (default loopback).
    public var trustedProxies: [IPAddressRange]
    /// `FUSIO_FIREWALL_IGNOREIP`: never blocked or counted.
    public var ignoredIPs: [IPAddressRange]
    /// `FUSIO_FIREWALL_CODES`: the 4xx codes that count; empty = every 4xx.
    public var countedCodes: [Int]
    /// `FUSIO_FIREWALL_FINDTIME`, `_MAXRETRY`, `_BANTIME` (PT2M, 32, PT5M as in Fusio).
    public var findTime: ISODuration
    public var maxRetry: Int
    public var banTime: ISODuration
    /// `FUSIO_LOGIN_MAXFAILURES` failed password checks within `FUSIO_LOGIN_WINDOW` spend one budget of an
    /// account (10 in PT15M): the budget of a known source, or the one all unknown sources share (see
    /// `UserAuthenticator`).
    public var loginMaxFailures: Int
    public var loginWindow: ISODuration
    /// `FUSIO_LOGIN_KNOWN_SOURCE_LIFETIME`: how long a source that logged in successfully keeps a budget of its
    /// own (P30D).
    public var loginKnownSourceLifetime: ISODuration = ISODuration(days: 30)

    public static let defaults = AbuseSettings(
        trustedProxies: IPAddressRange.list("127.0.0.0/8,::1")!, ignoredIPs: [], countedCodes: [],
        findTime: ISODuration(minutes: 2), maxRetry: 32, banTime: ISODuration(minutes: 5),
        loginMaxFailures: 10, loginWindow: ISODuration(minutes: 15))

    public init(trustedProxies: [IPAddressRange], ignoredIPs: [IPAddressRange], countedCodes: [Int], findTime: ISODuration,
                maxRetry: Int, banTime: ISODuration, loginMaxFailures: Int, loginWindow: ISODuration) {
        self.trustedProxies = trustedProxies
        self.ignoredIPs = ignoredIPs
        self.countedCodes = countedCodes
        self.findTime = findTime
        self.maxRetry = maxRetry
        self.banTime = banTime
        self.loginMaxFailures = loginMaxFailures
        self.loginWindow = loginWindow
    }

    static func load(_ value: (String) -> String?) throws(ConfigurationError) -> AbuseSettings {
        var settings = AbuseSettings.defaults
        func ranges(_ key: String) throws(ConfigurationError) -> [IPAddressRange]? {
            guard let text = value(key), !text.isEmpty else { return nil }
            guard let list = IPAddressRange.list(text) else {
                throw ConfigurationError(key: key, reason: "must be a comma-separated list of IP addresses or CIDR blocks")
            }
            return list
        }
        func number(_ key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
            guard let text = value(key), !text.isEmpty else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError(key: key, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func duration(_ key: String) throws(ConfigurationError) -> ISODuration? {
            guard let text = value(key), !text.isEmpty else { return nil }
            do {
                return try ISODuration(parsing: text)
            } catch {
                throw ConfigurationError(key: key, reason: "must be an ISO-8601 duration such as PT5M")
            }
        }
        if let list = try ranges("FUSIO_TRUSTED_PROXIES") { settings.trustedProxies = list }
        if let list = try ranges("FUSIO_FIREWALL_IGNOREIP") { settings.ignoredIPs = list }
        if let text = value("FUSIO_FIREWALL_CODES"), !text.isEmpty {
            var codes: [Int] = []
            for item in text.split(separator: ",") {
                guard let code = Int(item.filter { $0 != " " }), (400...499).contains(code) else {
                    throw ConfigurationError(key: "FUSIO_FIREWALL_CODES", reason: "must be a comma-separated list of 4xx codes")
                }
                codes.append(code)
            }
            settings.countedCodes = codes
        }
        if let value = try duration("FUSIO_FIREWALL_FINDTIME") { settings.findTime = value }
        if let value = try number("FUSIO_FIREWALL_MAXRETRY", 1...1_000_000) { settings.maxRetry = value }
        if let value = try duration("FUSIO_FIREWALL_BANTIME") { settings.banTime = value }
        if let value = try number("FUSIO_LOGIN_MAXFAILURES", 1...1_000_000) { settings.loginMaxFailures = value }
        if let value = try duration("FUSIO_LOGIN_WINDOW") { settings.loginWindow = value }
        if let value = try duration("FUSIO_LOGIN_KNOWN_SOURCE_LIFETIME") { settings.loginKnownSourceLifetime = value }
        return settings
    }
}
