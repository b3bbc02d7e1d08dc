import FusioAuth
import MariaDB

extension FusioStore: ProfileRepository {
    static let profileSQL = """
        SELECT id, role_id, plan_id, status, name, email, points, metadata, date
          FROM fusio_user WHERE tenant_id <=> ? AND id = ?
        """
    /// `fusio_transaction` belongs to Fusio's payment subsystem, which `migrate` does not create: without it no
    /// user has an active plan.
    static let transactionTableSQL = """
        SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'fusio_transaction'
        """
    static let activePlansSQL = """
        SELECT p.id, p.name, p.price, p.points, p.period_type
          FROM fusio_transaction trx
          JOIN fusio_plan p ON p.id = trx.plan_id
         WHERE p.tenant_id <=> ? AND trx.tenant_id <=> ? AND trx.user_id = ? AND trx.period_start < ? AND trx.period_end > ?
        """
    static let discoveryScopesSQL = "SELECT name FROM fusio_scope WHERE category_id = 1 ORDER BY name LIMIT 1024"

    public func profile(userID: Int, now: UnixTime) throws(StorageError) -> UserProfile? {
        guard let row = try query(Self.profileSQL, [tenant, .int(Int64(userID))]).first,
              let id = row.int(0), let roleID = row.int(1), let status = row.int(3), let name = row.string(4) else {
            return nil
        }
        let scopes = try availableScopes(userID: id).names(includingPlan: true)
        var plans: [UserProfile.Plan] = []
        if try hasTransactionTable() {
            let time = MariaDBValue.text(now.databaseString)
            plans = try query(Self.activePlansSQL, [tenant, tenant, .int(Int64(id)), time, time]).compactMap { plan in
                guard let planID = plan.int(0), let planName = plan.string(1) else { return nil }
                return UserProfile.Plan(id: planID, name: planName, price: plan.int(2) ?? 0, points: plan.int(3) ?? 0,
                                        period: plan.int(4))
            }
        }
        return UserProfile(id: id, roleID: roleID, planID: row.int(2), status: status, name: name, email: row.string(5),
                           points: row.int(6), scopes: scopes, plans: plans, metadata: row.string(7),
                           date: row.string(8).flatMap { UnixTime(databaseString: $0) })
    }

    private func hasTransactionTable() throws(StorageError) -> Bool {
        if let known = transactionTable { return known }
        let exists = (try query(Self.transactionTableSQL, []).first?.int(0) ?? 0) > 0
        transactionTable = exists
        return exists
    }

    public func scopeEntries(named names: [String]) throws(StorageError) -> [ScopeCatalogue.Entry] {
        let catalogue = try scopes.catalogue(knowing: [], from: self)
        return names.compactMap(catalogue.entry(named:))
    }

    public func discoveryScopes() throws(StorageError) -> [String] {
        try query(Self.discoveryScopesSQL, []).compactMap { $0.string(0) }
    }
}
