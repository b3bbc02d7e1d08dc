import FusioAuth
import MariaDB

/// The repositories of one thread over that thread's MariaDB connection. Every statement is prepared once
/// and reused; the category ids never change, so each is read once per store.
public final class FusioStore {
    let connection: MariaDBConnection
    /// `tenant_id <=> ?` with NULL for the root tenant: psx-sql's `Condition::equals` semantics.
    let tenant: MariaDBValue
    private var categoryIDs: [String: Int] = [:]
    let scopes: ScopeCatalogueCache
    let assignments = ScopeAssignmentCache()
    /// Apps by key with owner and scopes, for `findClients(appKey:allowCached:)`.
    let clientCache = ShortLivedCache<String, [ClientApp]>()
    /// Operations by name (bearer checks), for a second.
    let operations = ShortLivedCache<String, OperationAccess?>()
    /// The tenant's rate allocations (one entry), for a second.
    let rates = ShortLivedCache<Int, [RateRule]>()
    /// Whether the database has Fusio's `fusio_transaction` (whoami plans); learned on first use.
    var transactionTable: Bool?
    /// Whether `fusioauth_issue_token` can be called; learned on first use.
    var issueProcedure: ProcedureState = .unknown
    /// The statements that wait for the cluster when there is one.
    let reads: CausalReads
    /// The process's token-write coalescer, shared with every other thread's store; nil writes each token alone.
    let tokenWrites: TokenWriteCoalescer?

    enum ProcedureState { case unknown, available, missing }

    /// Session settings the queries rely on: scope id lists come back as GROUP_CONCAT, whose default limit
    /// (1024 bytes) would cut long lists silently; READ COMMITTED because nothing here needs repeatable reads,
    /// and without gap locks concurrent refreshes and revocations of one user's tokens do not deadlock.
    public static let sessionInitCommand =
        "SET SESSION group_concat_max_len = 1048576, SESSION tx_isolation = 'READ-COMMITTED'"

    /// `causalReads`: the connection goes to the nodes of a Galera cluster; the reads of `CausalReads` wait
    /// for it. `tokenWrites`: the process's coalescer, nil writes each token alone.
    public init(connection: MariaDBConnection, tenantID: String?, causalReads: Bool = false,
                tokenWrites: TokenWriteCoalescer? = nil) {
        self.connection = connection
        self.reads = CausalReads(waitForCluster: causalReads)
        self.tokenWrites = tokenWrites
        self.tenant = tenantID.map { .text($0) } ?? .null
        self.scopes = ScopeCatalogueCache(tenantID: tenantID)
    }

    func query(_ sql: String, _ parameters: [MariaDBValue]) throws(StorageError) -> [MariaDBRow] {
        do {
            return try connection.query(sql, parameters)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// `MariaDBConnection.transaction` (with its retries), failing with the `StorageError` the repositories throw.
    /// `committed`: how to tell, after a COMMIT whose answer was lost, whether it happened (see there).
    func transaction<T>(
        _ body: (MariaDBConnection) throws -> T, committed: ((MariaDBConnection) throws -> Bool)? = nil
    ) throws(StorageError) -> T {
        do {
            return try connection.transaction(body, committed: committed)
        } catch {
            throw Self.storageError(error)
        }
    }

    static func storageError(_ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        // MariaDBError's description carries the error number and SQLSTATE only, never statement values.
        return StorageError(cause: String(describing: error))
    }

    func categoryID(named name: String) throws(StorageError) -> Int {
        if let id = categoryIDs[name] { return id }
        let rows = try query("SELECT id FROM fusio_category WHERE tenant_id <=> ? AND name = ? ORDER BY id LIMIT 1",
                             [tenant, .text(name)])
        guard let id = rows.first?.int(0) else {
            throw StorageError(cause: "category '\(name)' does not exist in the tenant")
        }
        categoryIDs[name] = id
        return id
    }
}

extension FusioStore: HealthCheck {
    public func isDatabaseReachable() -> Bool {
        (try? connection.ping()) != nil
    }

    public var databaseNode: String? {
        connection.currentNode?.description
    }
}
