/// fusio-auth writes dates in UTC, as PHP Fusio does with php.ini's `date.timezone` unset or UTC (reference
/// §1.2), and never uses SQL `NOW()`. A MariaDB session away from UTC does not break that, but everything that
/// compares stored dates with `NOW()` or `CURRENT_TIMESTAMP` (reports, hand-written cleanup) is then off.
public struct TimeZoneCheck: DoctorCheck {
    public init() {}

    public func evaluate(_ facts: DatabaseFacts) -> CheckResult {
        let zone = "session time_zone \(facts.sessionTimeZone) (system \(facts.systemTimeZone))"
        guard facts.sessionOffsetSeconds == 0 else {
            return CheckResult(name: "timezone", status: .warn,
                               detail: "\(zone) is UTC\(Self.offset(facts.sessionOffsetSeconds)), while fusio-auth and PHP store UTC dates",
                               fix: "set default_time_zone = '+00:00' in the MariaDB server config, and keep PHP's date.timezone UTC")
        }
        return CheckResult(name: "timezone", status: .ok,
                           detail: "\(zone) is UTC, as the dates fusio-auth writes; PHP's date.timezone must be UTC or unset")
    }

    static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let hours = minutes / 60
        let rest = minutes % 60
        return rest == 0 ? "\(sign)\(hours)" : "\(sign)\(hours):\(rest < 10 ? "0" : "")\(rest)"
    }
}
