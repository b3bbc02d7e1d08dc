import FusioAuth
import Testing

@Suite struct AvailableScopesTests {
    @Test func rootScopesAreFollowedByTheirSubScopes() {
        let scopes = AvailableScopes(direct: [
            ScopeGrant(name: "backend", subScopes: ["backend.account", "backend.action"]),
            ScopeGrant(name: "authorization"),
            ScopeGrant(name: "foo"),
        ])
        #expect(
            scopes.names(includingPlan: false) == [
                "backend", "backend.account", "backend.action", "authorization", "foo",
            ])
    }

    @Test func duplicatesKeepTheirFirstPosition() {
        let scopes = AvailableScopes(direct: [
            ScopeGrant(name: "backend.action"),
            ScopeGrant(name: "backend", subScopes: ["backend.account", "backend.action"]),
            ScopeGrant(name: "consumer", subScopes: ["consumer.app"]),
            ScopeGrant(name: "backend.account"),
        ])
        #expect(
            scopes.names(includingPlan: false) == [
                "backend.action", "backend", "backend.account", "consumer", "consumer.app",
            ])
    }

    @Test func planScopesFollowOnlyWhenIncluded() {
        let scopes = AvailableScopes(
            direct: [ScopeGrant(name: "foo"), ScopeGrant(name: "bar")],
            plan: [ScopeGrant(name: "premium", subScopes: ["premium.read"]), ScopeGrant(name: "foo")]
        )
        #expect(scopes.names(includingPlan: false) == ["foo", "bar"])
        #expect(scopes.names(includingPlan: true) == ["foo", "bar", "premium", "premium.read"])
    }

    @Test func onlyRootNamesExpand() {
        let scopes = AvailableScopes(direct: [ScopeGrant(name: "a.b", subScopes: ["a.b.c"])])
        #expect(scopes.names(includingPlan: true) == ["a.b"])
    }

    @Test func namesAreComparedByBytes() {
        let scopes = AvailableScopes(direct: [ScopeGrant(name: "caf\u{E9}"), ScopeGrant(name: "cafe\u{301}")])
        #expect(scopes.names(includingPlan: false).count == 2)
    }
}
