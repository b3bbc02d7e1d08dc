/// Fusio's IP firewall (§6), sharing `fusio_firewall` and `fusio_firewall_log` with PHP so a ban set by either
/// side blocks on both, with the fixes of §8.2: only active rules count, an allow rule overrides a deny, and the
/// rule set is read once a second per thread instead of once per request — a ban set by PHP takes effect here
/// within a second. One instance per thread.
public final class Firewall {
    public static let refreshMilliseconds: Int64 = 1000
    public static let blockedMessage = "Your IP has sent to many requests please try again later"

    private let repository: any FirewallRepository
    private let settings: AbuseSettings
    private let clock: any Clock
    private let monotonicMilliseconds: @Sendable () -> Int64
    private var rules: (deny: Set<String>, allow: Set<String>) = ([], [])
    private var loadedAt: Int64?

    public init(repository: any FirewallRepository, settings: AbuseSettings, clock: any Clock,
                monotonicMilliseconds: @escaping @Sendable () -> Int64 = MonotonicTime.milliseconds) {
        self.repository = repository
        self.settings = settings
        self.clock = clock
        self.monotonicMilliseconds = monotonicMilliseconds
    }

    public func isIgnored(_ ip: String) -> Bool {
        settings.ignoredIPs.contains { $0.contains(ip) }
    }

    /// When the rules cannot be read the request is let through: it will meet the same outage and get a 503.
    public func isBlocked(_ ip: String) -> Bool {
        guard !isIgnored(ip) else { return false }
        let now = monotonicMilliseconds()
        if loadedAt == nil || now - loadedAt! >= Self.refreshMilliseconds {
            if let fresh = try? repository.activeRules(now: clock.now()) {
                rules = fresh
                loadedAt = now
            }
        }
        return rules.deny.contains(ip) && !rules.allow.contains(ip)
    }

    /// Counts a 4xx answer; more than `maxRetry` within `findTime` bans the IP for `banTime` (Fusio's rule).
    /// Returns whether this answer banned the IP.
    @discardableResult
    public func recordClientError(ip: String, status: Int) throws(StorageError) -> Bool {
        guard (400...499).contains(status), !isIgnored(ip) else { return false }
        if !settings.countedCodes.isEmpty, !settings.countedCodes.contains(status) { return false }
        let now = clock.now()
        let since = UnixTime(seconds: now.seconds - (settings.findTime.added(to: now).seconds - now.seconds))
        if try repository.errorCount(ip: ip, since: since) > settings.maxRetry {
            let expire = settings.banTime.added(to: now)
            try repository.ban(ip: ip, name: Self.banName(ip: ip, expire: expire), expire: expire)
            // Effective at once in this thread; other threads and PHP see it at their next read.
            rules.deny.insert(ip)
            return true
        }
        try repository.logError(ip: ip, code: status, now: now)
        return false
    }

    /// `"Ban-" + ip with "." and ":" as "-" + "-" + expire as YmdHis` (impl `Service\\Firewall`).
    static func banName(ip: String, expire: UnixTime) -> String {
        let compact = expire.databaseString.filter { $0.isNumber }
        return "Ban-" + String(ip.map { $0 == "." || $0 == ":" ? "-" : $0 }) + "-" + compact
    }
}
