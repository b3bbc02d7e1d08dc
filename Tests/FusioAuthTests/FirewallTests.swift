@testable import FusioAuth
import Testing

@Suite struct FirewallTests {
    final class Rules: FirewallRepository, @unchecked Sendable {
        var deny: Set<String> = []
        var allow: Set<String> = []
        var log: [(ip: String, code: Int)] = []
        var bans: [(ip: String, name: String, expire: UnixTime)] = []
        var reads = 0
        func activeRules(now: UnixTime) throws(StorageError) -> (deny: Set<String>, allow: Set<String>) {
            reads += 1
            return (deny, allow)
        }
        func errorCount(ip: String, since: UnixTime) throws(StorageError) -> Int { log.filter { $0.ip == ip }.count }
        func logError(ip: String, code: Int, now: UnixTime) throws(StorageError) { log.append((ip, code)) }
        func ban(ip: String, name: String, expire: UnixTime) throws(StorageError) {
            bans.append((ip, name, expire))
            deny.insert(ip)
        }
    }

    final class Ticks: @unchecked Sendable { var now: Int64 = 0 }

    let rules = Rules()
    let ticks = Ticks()

    func firewall(_ settings: AbuseSettings = .defaults) -> Firewall {
        let ticks = self.ticks
        return Firewall(repository: rules, settings: settings, clock: FixedClock(time: UnixTime(seconds: 1_700_000_000)),
                        monotonicMilliseconds: { ticks.now })
    }

    @Test func denyBlocksAllowOverridesAndRulesAreCachedForASecond() {
        let wall = firewall()
        rules.deny = ["203.0.113.1", "203.0.113.2"]
        rules.allow = ["203.0.113.2"]
        #expect(wall.isBlocked("203.0.113.1"))
        #expect(!wall.isBlocked("203.0.113.2"))
        #expect(!wall.isBlocked("203.0.113.3"))
        rules.deny.insert("203.0.113.3")
        #expect(!wall.isBlocked("203.0.113.3"))   // cached
        ticks.now += Firewall.refreshMilliseconds
        #expect(wall.isBlocked("203.0.113.3"))
        #expect(rules.reads == 2)
    }

    @Test func moreThanMaxRetryErrorsInTheWindowBan() throws {
        var settings = AbuseSettings.defaults
        settings.maxRetry = 3
        let wall = firewall(settings)
        for _ in 0..<4 { try wall.recordClientError(ip: "198.51.100.9", status: 401) }
        #expect(rules.log.count == 4)
        #expect(rules.bans.isEmpty)
        try wall.recordClientError(ip: "198.51.100.9", status: 400)
        #expect(rules.bans.count == 1)
        #expect(rules.bans[0].name == "Ban-198-51-100-9-20231114221820")
        #expect(rules.bans[0].expire == UnixTime(seconds: 1_700_000_000 + 300))
        #expect(wall.isBlocked("198.51.100.9"))
    }

    @Test func ignoredIPsAndUncountedCodes() throws {
        var settings = AbuseSettings.defaults
        settings.ignoredIPs = IPAddressRange.list("127.0.0.1")!
        settings.countedCodes = [401]
        let wall = firewall(settings)
        rules.deny = ["127.0.0.1"]
        #expect(!wall.isBlocked("127.0.0.1"))
        try wall.recordClientError(ip: "127.0.0.1", status: 401)
        try wall.recordClientError(ip: "198.51.100.1", status: 404)
        try wall.recordClientError(ip: "198.51.100.1", status: 200)
        #expect(rules.log.isEmpty)
        try wall.recordClientError(ip: "198.51.100.1", status: 401)
        #expect(rules.log.count == 1)
    }

    @Test func banNameUsesDashesForIPv6() {
        #expect(Firewall.banName(ip: "2001:db8::1", expire: UnixTime(seconds: 0)) == "Ban-2001-db8--1-19700101000000")
    }
}
