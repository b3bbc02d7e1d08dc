import FusioAuth
import MariaDB

/// Builds `AvailableScopes` from rows of (source, scope id, name, sub-scope name) as the scope queries return
/// them, ordered by source, scope id and sub-scope name.
enum ScopeRows {
    /// The SQL of one scope source. `%@` placeholders are not used: each query is a constant string.
    /// Sub-scopes come from Fusio's `LIKE '<name>.%'` expansion of names without a dot; `_` in a root name stays
    /// a LIKE wildcard as in PHP, so both sides grant the same scopes.
    static func collect(_ rows: [MariaDBRow], sourceColumn: Int, direct: String, plan: String) -> AvailableScopes {
        var scopes = AvailableScopes(direct: [], plan: [])
        var lastKey: (String, Int)?
        for row in rows {
            guard let source = row.string(sourceColumn), source == direct || source == plan,
                  let id = row.int(sourceColumn + 1), let name = row.string(sourceColumn + 2) else { continue }
            let sub = row.string(sourceColumn + 3)
            let isPlan = source == plan
            if lastKey == nil || lastKey! != (source, id) {
                let grant = ScopeGrant(name: name, subScopes: [])
                if isPlan { scopes.plan.append(grant) } else { scopes.direct.append(grant) }
                lastKey = (source, id)
            }
            if let sub {
                if isPlan { scopes.plan[scopes.plan.count - 1].subScopes.append(sub) }
                else { scopes.direct[scopes.direct.count - 1].subScopes.append(sub) }
            }
        }
        return scopes
    }
}
