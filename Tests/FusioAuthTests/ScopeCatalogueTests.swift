@testable import FusioAuth
import Testing

@Suite struct ScopeCatalogueTests {
    static let entries: [ScopeCatalogue.Entry] = [
        .init(id: 3, tenantID: nil, status: 1, name: "authorization"),
        .init(id: 1, tenantID: nil, status: 1, name: "backend"),
        .init(id: 7, tenantID: nil, status: 1, name: "backend.action"),
        .init(id: 6, tenantID: nil, status: 1, name: "backend.account"),
        .init(id: 9, tenantID: nil, status: 0, name: "backend.old"),
        .init(id: 10, tenantID: "other", status: 1, name: "backend.tenant"),
        .init(id: 11, tenantID: nil, status: 1, name: "backendx"),
        .init(id: 12, tenantID: nil, status: 1, name: "fo_"),
        .init(id: 13, tenantID: nil, status: 1, name: "foo.bar"),
    ]

    let catalogue = ScopeCatalogue(entriesInNameOrder: entries, tenantID: nil)

    @Test func rootExpansionKeepsDatabaseOrderAndFiltersOnlyForApps() {
        let user = catalogue.grants(ids: [1, 3], visibility: .all)
        #expect(user == [ScopeGrant(name: "backend", subScopes: ["backend.action", "backend.account", "backend.old", "backend.tenant"]),
                         ScopeGrant(name: "authorization", subScopes: [])])
        let app = catalogue.grants(ids: [1, 9], visibility: .activeInTenant)
        #expect(app == [ScopeGrant(name: "backend", subScopes: ["backend.action", "backend.account"])])
    }

    @Test func underscoreInARootNameIsALikeWildcardAsInPHP() {
        #expect(catalogue.grants(ids: [12], visibility: .all) == [ScopeGrant(name: "fo_", subScopes: ["foo.bar"])])
    }

    @Test func unknownIdsAreSkipped() {
        #expect(catalogue.grants(ids: [99], visibility: .all).isEmpty)
        #expect(!catalogue.contains(id: 99))
    }

    @Test func likeMatching() {
        func like(_ t: String, _ p: String) -> Bool { ScopeCatalogue.like(Array(t.utf8), Array(p.utf8)) }
        #expect(like("backend.x", "backend.%"))
        #expect(like("BACKEND.x", "backend.%"))
        #expect(!like("backendx", "backend.%"))
        #expect(!like("backend", "backend.%"))
        #expect(like("backend.", "backend.%"))
        #expect(like("a.b.c", "a%c"))
        #expect(!like("ab", "a_c"))
    }
}
