/// All rows of `fusio_scope`, held by the storage layer for a second at a time, so that Fusio's expansion of a
/// root scope (`LIKE '<root>.%'`, one query per root in PHP) is computed in memory instead of on every request.
public struct ScopeCatalogue: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: Int
        public var tenantID: String?
        public var status: Int
        public var name: String
        public var description: String

        public init(id: Int, tenantID: String?, status: Int, name: String, description: String = "") {
            self.id = id
            self.tenantID = tenantID
            self.status = status
            self.name = name
            self.description = description
        }
    }

    /// Which scopes a lookup may see. Fusio filters app scopes by tenant and `status = 1`, user and plan scopes
    /// not at all (§3.3.6); both sides must grant the same names.
    public enum Visibility: Sendable {
        case all
        case activeInTenant
    }

    private let tenantID: String?
    private let byID: [Int: Entry]
    private let byName: [String: Entry]
    /// Sub-scope names per root name, in the database's `ORDER BY name` order.
    private let subScopesAll: [String: [String]]
    private let subScopesActive: [String: [String]]

    /// `entries` must come in the order of the database's `ORDER BY name`, so sub-scopes keep the collation's
    /// order (which differs from byte order for `_`).
    public init(entriesInNameOrder entries: [Entry], tenantID: String?) {
        self.tenantID = tenantID
        var byID: [Int: Entry] = [:]
        for entry in entries { byID[entry.id] = entry }
        self.byID = byID
        var byName: [String: Entry] = [:]
        for entry in entries where entry.status == 1 && entry.tenantID == tenantID { byName[entry.name] = entry }
        self.byName = byName
        var all: [String: [String]] = [:]
        var active: [String: [String]] = [:]
        for root in entries where !root.name.utf8.contains(UInt8(ascii: ".")) && all[root.name] == nil {
            let pattern = Array(root.name.utf8) + [UInt8(ascii: "."), UInt8(ascii: "%")]
            let matches = entries.filter { Self.like(Array($0.name.utf8), pattern) }
            all[root.name] = matches.map(\.name)
            active[root.name] = matches.filter { $0.status == 1 && $0.tenantID == tenantID }.map(\.name)
        }
        subScopesAll = all
        subScopesActive = active
    }

    public func contains(id: Int) -> Bool { byID[id] != nil }

    /// The active sub-scopes of the tenant that a root scope implies (Fusio's `findSubScopes`, §3.8 step 5).
    public func activeSubScopes(of root: String) -> [String] {
        subScopesActive[root] ?? []
    }

    /// The active scope of the tenant with this name.
    public func entry(named name: String) -> Entry? {
        byName[name]
    }

    /// The rows of a scope link table (already in scope-id order) as Fusio's available-scope list reads them.
    /// Ids the catalogue does not know are skipped: the inner join in PHP drops them too.
    public func grants(ids: [Int], visibility: Visibility) -> [ScopeGrant] {
        var grants: [ScopeGrant] = []
        grants.reserveCapacity(ids.count)
        for id in ids {
            guard let entry = byID[id] else { continue }
            if visibility == .activeInTenant, entry.status != 1 || entry.tenantID != tenantID { continue }
            let isRoot = !entry.name.utf8.contains(UInt8(ascii: "."))
            let subs = isRoot ? (visibility == .all ? subScopesAll : subScopesActive)[entry.name] ?? [] : []
            grants.append(ScopeGrant(name: entry.name, subScopes: subs))
        }
        return grants
    }

    /// SQL `LIKE` as MariaDB evaluates it on Fusio's `_unicode_ci` scope names: `%` and `_` are wildcards and ASCII
    /// letters compare case-insensitively. Scope names are limited to ASCII by Fusio's validator.
    static func like(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "%") {
                starP = p; starT = t; p += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "_") || fold(pattern[p]) == fold(text[t]) {
                t += 1; p += 1
            } else if starP >= 0 {
                starT += 1; t = starT; p = starP + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "%") { p += 1 }
        return p == pattern.count
    }
}

extension ScopeCatalogue.Visibility: Equatable {}
