/// The scopes assigned to an app or a user, in Fusio's order (impl `Table\App\Scope::getAvailableScopes`,
/// `Table\User\Scope::getAvailableScopes`).
public struct AvailableScopes: Sendable, Equatable {
    /// Rows of `fusio_app_scope` or `fusio_user_scope`, ordered by scope id.
    public let direct: [ScopeGrant]
    /// Rows of the plan's `fusio_plan_scope`, ordered by scope id. For an app, the storage layer must reproduce
    /// Fusio's lookup of the plan, which passes the app id where the owner's user id is meant.
    public let plan: [ScopeGrant]
    /// Both name lists are computed once: every token request reads them two or three times.
    private let namesWithoutPlan: [String]
    private let namesWithPlan: [String]
    /// `namesWithPlan` with fingerprints, for `ScopeResolver` (which checks token requests against it).
    let indexedNamesWithPlan: ScopeNameList

    public init(direct: [ScopeGrant], plan: [ScopeGrant] = []) {
        self.direct = direct
        self.plan = plan
        namesWithoutPlan = Self.names(of: direct)
        namesWithPlan = plan.isEmpty ? namesWithoutPlan : Self.names(of: direct + plan)
        indexedNamesWithPlan = ScopeNameList(namesWithPlan)
    }

    public static func == (lhs: AvailableScopes, rhs: AvailableScopes) -> Bool {
        lhs.direct == rhs.direct && lhs.plan == rhs.plan
    }

    /// Each name appears once, at the position of its first occurrence: PHP collects the rows in an array keyed
    /// by name, and assigning to an existing key keeps the key where it was. A root name (without `.`) is followed
    /// by its sub-scopes. Names are compared by bytes, as PHP keys are; Swift's `==` would merge canonically
    /// equivalent spellings.
    public func names(includingPlan: Bool) -> [String] {
        includingPlan ? namesWithPlan : namesWithoutPlan
    }

    private static func names(of grants: [ScopeGrant]) -> [String] {
        var seen: Set<ScopeBytes> = []
        var result: [String] = []
        func add(_ name: String) {
            if seen.insert(ScopeBytes(name)).inserted { result.append(name) }
        }
        for grant in grants {
            add(grant.name)
            guard !grant.name.utf8.contains(UInt8(ascii: ".")) else { continue }
            grant.subScopes.forEach(add)
        }
        return result
    }
}
