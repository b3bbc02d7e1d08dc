import FusioAuth
import MariaDB

extension FusioStore {
    /// The four scope id lists Fusio reads for an app and a user, in one round trip: the app's scopes, the app's
    /// plan scopes (Fusio looks the plan up with the app id as a user id; kept so both sides grant the same
    /// scopes), the user's scopes and the user's plan scopes. A NULL id gives an empty list.
    static let scopeListsSQL = """
        SELECT (SELECT GROUP_CONCAT(scope_id) FROM fusio_app_scope WHERE app_id = ?),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_plan_scope x
                  JOIN fusio_user pu ON pu.plan_id = x.plan_id WHERE pu.id = ? AND pu.tenant_id <=> ?),
               (SELECT GROUP_CONCAT(scope_id) FROM fusio_user_scope WHERE user_id = ?),
               (SELECT GROUP_CONCAT(x.scope_id) FROM fusio_plan_scope x
                  JOIN fusio_user ou ON ou.plan_id = x.plan_id WHERE ou.id = ?)
        """

    /// Available scopes of an app (filtered to active scopes of the tenant, as Fusio does for apps) and of a
    /// user (unfiltered, as Fusio does for users), from the cache or from one query for whatever is missing.
    func scopes(appID: Int?, userID: Int?) throws(StorageError) -> (app: AvailableScopes?, user: AvailableScopes?) {
        let now = MonotonicTime.milliseconds()
        var app = appID.flatMap { assignments.get(.app($0), now: now) }
        var user = userID.flatMap { assignments.get(.user($0), now: now) }
        let loadApp = appID != nil && app == nil
        let loadUser = userID != nil && user == nil
        guard loadApp || loadUser else { return (app, user) }

        let appValue: MariaDBValue = loadApp ? .int(Int64(appID!)) : .null
        let userValue: MariaDBValue = loadUser ? .int(Int64(userID!)) : .null
        guard let row = try query(Self.scopeListsSQL, [appValue, appValue, tenant, userValue, userValue]).first else {
            throw StorageError(cause: "scope lists query returned no row")
        }
        let catalogue = try scopes.catalogue(knowing: (0...3).flatMap(row.ids), from: self)
        if loadApp, let appID {
            let loaded = AvailableScopes(direct: catalogue.grants(ids: row.ids(0), visibility: .activeInTenant),
                                         plan: catalogue.grants(ids: row.ids(1), visibility: .activeInTenant))
            assignments.put(.app(appID), loaded, now: now)
            app = loaded
        }
        if loadUser, let userID {
            let loaded = AvailableScopes(direct: catalogue.grants(ids: row.ids(2), visibility: .all),
                                         plan: catalogue.grants(ids: row.ids(3), visibility: .all))
            assignments.put(.user(userID), loaded, now: now)
            user = loaded
        }
        return (app, user)
    }
}
