/// The size of `fusio_token` and how far back expired rows reach: Fusio's own cleanup keeps it small, and a
/// table that only grows slows every token lookup and issue.
public struct TokenTableCheck: DoctorCheck {
    /// Expired rows older than this mean nothing cleans the table up.
    static let staleSeconds: Int64 = 30 * 86_400
    let now: UnixTime

    public init(now: UnixTime) {
        self.now = now
    }

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        let size = "≈ \(facts.tokenRows) rows (estimate), \(Self.megabytes(facts.tokenDataBytes)) MB"
        guard let oldest = facts.oldestExpiredToken else {
            return CheckResult(name: "tokens", status: .ok, detail: "fusio_token \(size), no expired row")
        }
        let detail = "fusio_token \(size), oldest expired row \(oldest)"
        if let expired = UnixTime(databaseString: oldest), now.seconds - expired.seconds > Self.staleSeconds {
            return CheckResult(name: "tokens", status: .warn, detail: detail + " (over 30 days ago)",
                               fix: "run fusio-auth cleanup (daily, e.g. from its systemd timer)")
        }
        return CheckResult(name: "tokens", status: .ok, detail: detail)
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }
}
