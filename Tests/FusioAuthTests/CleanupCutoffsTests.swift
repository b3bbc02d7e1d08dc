import FusioAuth
import Testing

@Suite struct CleanupCutoffsTests {
    @Test func cutoffsFollowTheSettings() throws {
        let now = UnixTime(seconds: 1_700_000_000)
        var abuse = AbuseSettings.defaults
        abuse.loginKnownSourceLifetime = ISODuration(days: 10)
        let cutoffs = CleanupCutoffs(now: now, olderThan: try ISODuration(parsing: "P30D"), abuse: abuse)
        #expect(cutoffs.token.seconds == now.seconds - 30 * 86_400)
        #expect(cutoffs.appCode.seconds == now.seconds - AuthorizationCodeGrant.codeLifetimeSeconds)
        #expect(cutoffs.loginAttempt.seconds == now.seconds - 15 * 60)
        #expect(cutoffs.loginSource.seconds == now.seconds - 10 * 86_400)
    }
}
