@testable import FusioAuth
import Testing

/// Fusio's choice of rate: the matching allocation of the highest priority; counts by user or by IP.
@Suite struct RateLimiterTests {
    final class Logs: OperationLogRepository {
        var rules: [RateRule] = []
        var counted: [(userID: Int?, ip: String)] = []
        var count = 0
        func rateRules() throws(StorageError) -> [RateRule] { rules }
        var caps: [Int] = []
        func countRequests(userID: Int?, ip: String, since: UnixTime, until: UnixTime, atMost: Int) throws(StorageError) -> Int {
            counted.append((userID, ip))
            caps.append(atMost)
            return min(count, atMost)
        }
        func insertLog(_ entry: RequestLogEntry) throws(StorageError) {}
    }

    static let hour = ISODuration(hours: 1)
    static let fusioDefaults = [
        RateRule(operationID: nil, userID: nil, planID: nil, appID: nil, authenticated: nil, limit: 3600, timespan: hour, priority: 0),
        RateRule(operationID: nil, userID: nil, planID: nil, appID: nil, authenticated: 0, limit: 900, timespan: hour, priority: 4),
    ]
    let user = OperationCaller(appID: 3, userID: 2, planID: nil)

    @Test func anonymousCallersGetTheAnonymousRateAndOthersTheDefault() {
        #expect(RateLimiter.rule(in: Self.fusioDefaults, operationID: 7, caller: .anonymous)?.limit == 900)
        #expect(RateLimiter.rule(in: Self.fusioDefaults, operationID: 7, caller: user)?.limit == 3600)
    }

    @Test func specificAllocationsApplyOnlyToTheirOperationAppUserAndPlan() {
        var rules = Self.fusioDefaults
        rules.append(RateRule(operationID: 7, userID: nil, planID: nil, appID: nil, authenticated: nil, limit: 5, timespan: Self.hour, priority: 9))
        rules.append(RateRule(operationID: nil, userID: nil, planID: 4, appID: nil, authenticated: nil, limit: 50, timespan: Self.hour, priority: 8))
        rules.append(RateRule(operationID: nil, userID: nil, planID: nil, appID: 99, authenticated: nil, limit: 1, timespan: Self.hour, priority: 10))
        #expect(RateLimiter.rule(in: rules, operationID: 7, caller: user)?.limit == 5)
        #expect(RateLimiter.rule(in: rules, operationID: 8, caller: user)?.limit == 3600)
        #expect(RateLimiter.rule(in: rules, operationID: 8, caller: OperationCaller(appID: 3, userID: 2, planID: 4))?.limit == 50)
        #expect(RateLimiter.rule(in: rules, operationID: 8, caller: OperationCaller(appID: 99, userID: 2, planID: nil))?.limit == 1)
        #expect(RateLimiter.rule(in: [], operationID: 8, caller: user) == nil)
    }

    @Test func countsByUserWhenKnownElseByIPAndRefusesAtTheLimit() throws {
        let logs = Logs()
        logs.rules = Self.fusioDefaults
        let limiter = RateLimiter(logs: logs, clock: FixedClock(time: UnixTime(seconds: 1_700_000_000)))
        logs.count = 899
        #expect(try limiter.check(operationID: 1, caller: .anonymous, ip: "192.0.2.1") == .init(limit: 900, remaining: 1, exceeded: false))
        logs.count = 900
        #expect(try limiter.check(operationID: 1, caller: .anonymous, ip: "192.0.2.1") == .init(limit: 900, remaining: 0, exceeded: true))
        _ = try limiter.check(operationID: 1, caller: user, ip: "192.0.2.1")
        #expect(logs.counted.map(\.userID) == [nil, nil, 2])
        #expect(logs.caps == [900, 900, 3600], "the count stops at the limit")
    }
}
