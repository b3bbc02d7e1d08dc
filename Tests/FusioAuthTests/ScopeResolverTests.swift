import FusioAuth
import Testing

@Suite struct ScopeResolverTests {
    /// Roughly the consumer user of Fusio's test fixtures.
    static let consumer = AvailableScopes(direct: [
        ScopeGrant(name: "consumer", subScopes: ["consumer.account", "consumer.app"]),
        ScopeGrant(name: "authorization"),
        ScopeGrant(name: "foo"),
        ScopeGrant(name: "bar"),
    ])

    @Test func loginExampleKeepsOnlyTheUsersScopes() {
        let scopes = ScopeResolver.validScopes(requested: "foo,bar,baz,backend", app: nil, user: Self.consumer)
        #expect(ScopeList.join(scopes) == "foo,bar")
    }

    @Test func requestOrderNeverMatters() {
        let scopes = ScopeResolver.validScopes(
            requested: "bar foo consumer.app authorization", app: nil, user: Self.consumer)
        #expect(scopes == ["consumer.app", "authorization", "foo", "bar"])
    }

    @Test func commaSpaceListsDoNotMatchAfterTheComma() {
        #expect(ScopeResolver.validScopes(requested: "foo, bar", app: nil, user: Self.consumer) == ["foo"])
    }

    @Test func appAndUserIntersectInTheUsersOrder() {
        let user = AvailableScopes(direct: [
            ScopeGrant(name: "consumer", subScopes: ["consumer.account"]),
            ScopeGrant(name: "authorization"),
            ScopeGrant(name: "openid"),
            ScopeGrant(name: "foo"),
            ScopeGrant(name: "bar"),
        ])
        let app = AvailableScopes(direct: [
            ScopeGrant(name: "backend", subScopes: ["backend.account"]),
            ScopeGrant(name: "bar"),
            ScopeGrant(name: "foo"),
            ScopeGrant(name: "openid"),
            ScopeGrant(name: "authorization"),
        ])
        let requested = ScopeResolver.defaultScopeString(user: user)
        #expect(requested == "consumer,consumer.account,authorization,openid,foo,bar")
        let scopes = ScopeResolver.validScopes(requested: requested, app: app, user: user)
        #expect(ScopeList.join(scopes) == "authorization,openid,foo,bar")
    }

    @Test func rootExpansionIsDeduplicated() {
        let user = AvailableScopes(direct: [
            ScopeGrant(name: "backend.action"),
            ScopeGrant(name: "backend", subScopes: ["backend.account", "backend.action"]),
        ])
        let scopes = ScopeResolver.validScopes(
            requested: "backend.account,backend.action,backend", app: nil, user: user)
        #expect(scopes == ["backend.action", "backend", "backend.account"])
        #expect(ScopeResolver.validScopes(requested: "backend.action", app: nil, user: user) == ["backend.action"])
    }

    @Test func planScopesCountForValidationButNotForTheDefault() {
        let user = AvailableScopes(
            direct: [ScopeGrant(name: "foo")],
            plan: [ScopeGrant(name: "premium", subScopes: ["premium.read"])]
        )
        #expect(ScopeResolver.defaultScopeString(user: user) == "foo")
        #expect(ScopeResolver.validScopes(requested: "premium.read,foo", app: nil, user: user) == ["foo", "premium.read"])
        let app = AvailableScopes(direct: [ScopeGrant(name: "foo")], plan: [ScopeGrant(name: "premium.read")])
        #expect(ScopeResolver.validScopes(requested: "premium.read,foo", app: app, user: user) == ["foo", "premium.read"])
    }

    @Test func withoutAppOrUserTheSplitListIsReturned() {
        #expect(ScopeResolver.validScopes(requested: "b,a,,a", app: nil, user: nil) == ["b", "a", "", "a"])
        let app = AvailableScopes(direct: [ScopeGrant(name: "a"), ScopeGrant(name: "b")])
        #expect(ScopeResolver.validScopes(requested: "b,a", app: app, user: nil) == ["a", "b"])
    }

    @Test func emptyRequestGivesNothing() {
        #expect(ScopeResolver.validScopes(requested: "", app: nil, user: Self.consumer).isEmpty)
    }

    /// PHP's non-strict `in_array` compares numeric strings as numbers.
    @Test(arguments: [
        ("123", "0123", true),
        ("123", " 123", true),
        ("123", "123 ", true),
        ("100", "1e2", true),
        ("1", "1.0", true),
        ("1", "+1", true),
        ("1", "1.", true),
        ("0.5", ".5", true),
        ("123", "123a", false),
        ("abc", "ABC", false),
        ("1e", "1", false),
        ("99999999999999999999", "99999999999999999998", false),
        ("9223372036854775807", "9223372036854775808", false),
        ("-9223372036854775808", "-9223372036854775808.0", true),
    ])
    func numericNamesCompareLikePHP(available: String, requested: String, matches: Bool) {
        let user = AvailableScopes(direct: [ScopeGrant(name: available)])
        let scopes = ScopeResolver.validScopes(requested: requested, app: nil, user: user)
        #expect(scopes == (matches ? [available] : []))
    }

    @Test func nonNumericNamesCompareByBytes() {
        let user = AvailableScopes(direct: [ScopeGrant(name: "caf\u{E9}")])
        #expect(ScopeResolver.validScopes(requested: "cafe\u{301}", app: nil, user: user).isEmpty)
    }

    /// An Administrator-sized list, with names that share length, head and tail (equal fingerprints) and differ
    /// only in the middle, so only the byte comparison tells them apart.
    static let administrator = AvailableScopes(direct: (0..<40).map { index in
        ScopeGrant(name: "backend\(index)", subScopes: ["backend\(index).xx.account", "backend\(index).yy.account"])
    } + [ScopeGrant(name: "authorization"), ScopeGrant(name: "caf\u{E9}"), ScopeGrant(name: "a")])

    /// `in_array` over the available list, by bytes, for names that are not numeric.
    static func reference(_ available: AvailableScopes, _ requested: [String]) -> [String] {
        available.names(includingPlan: true).filter { name in requested.contains { Array($0.utf8) == Array(name.utf8) } }
    }

    @Test(arguments: [
        "authorization", "backend7.yy.account", "backend7.zz.account,backend7.yy.account,backend7.xx.account",
        "a,a,authorization,a", "cafe\u{301},caf\u{E9}", "backend39,backend1,nothing,backend12.xx.account,backend3",
        // More than eight names: the set path.
        (0..<40).map { "backend\(39 - $0).yy.account" }.joined(separator: ","),
        "b,c,d,e,f,g,h,i,a,authorization",
    ])
    func largeListsKeepTheirOrderAndCompareBytes(requested: String) {
        let names = ScopeList.split(requested)
        let expected = Self.reference(Self.administrator, names)
        #expect(ScopeResolver.validScopes(requested: requested, app: nil, user: Self.administrator) == expected)
        #expect(ScopeResolver.validScopes(requested: requested, app: Self.administrator, user: nil) == expected)
        #expect(!expected.isEmpty)
    }

    @Test func numericRequestsStillCompareAsNumbersInLargeLists() {
        let user = AvailableScopes(direct: Self.administrator.direct + [ScopeGrant(name: "100"), ScopeGrant(name: "7")])
        #expect(ScopeResolver.validScopes(requested: "1e2,authorization,07.0", app: nil, user: user)
            == ["authorization", "100", "7"])
    }

    /// The integration test's code grant: the app has `consumer` (with its sub-scopes), the user `openid`.
    @Test func storedScopesIntersectAppAndUser() {
        let subScopes = ["account", "app", "event", "form", "grant", "identity", "log", "page", "payment", "plan",
                         "scope", "token", "transaction", "webhook"].map { "consumer.\($0)" }
        let app = AvailableScopes(direct: [ScopeGrant(name: "authorization"), ScopeGrant(name: "consumer", subScopes: subScopes),
                                           ScopeGrant(name: "default")])
        let user = AvailableScopes(direct: [ScopeGrant(name: "authorization"), ScopeGrant(name: "default"), ScopeGrant(name: "openid")])
        #expect(ScopeResolver.validScopes(requested: "consumer.app,default,openid,authorization", app: app, user: user)
            == ["authorization", "default"])
    }
}
