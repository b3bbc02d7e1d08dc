import FusioAuth
import MariaDB

/// The thread's copy of `fusio_scope`, read again after a second, or at once when a link table names a scope
/// the copy does not know yet. A scope renamed or disabled in the PHP backend thus takes effect here within a
/// second; scope assignments (`fusio_app_scope`, `fusio_user_scope`, plans) are read on every request.
final class ScopeCatalogueCache {
    static let maximumAgeMilliseconds: Int64 = 1000
    static let sql = "SELECT id, tenant_id, status, name, description FROM fusio_scope ORDER BY name, id"

    private let tenantID: String?
    private var catalogue: ScopeCatalogue?
    private var loadedAt: Int64 = 0

    init(tenantID: String?) {
        self.tenantID = tenantID
    }

    func catalogue(knowing ids: [Int], from store: FusioStore) throws(StorageError) -> ScopeCatalogue {
        let now = MonotonicTime.milliseconds()
        if let catalogue, now - loadedAt < Self.maximumAgeMilliseconds, ids.allSatisfy(catalogue.contains(id:)) {
            return catalogue
        }
        let rows = try store.query(Self.sql, [])
        let fresh = ScopeCatalogue(entriesInNameOrder: rows.compactMap { row in
            guard let id = row.int(0), let status = row.int(2), let name = row.string(3) else { return nil }
            return ScopeCatalogue.Entry(id: id, tenantID: row.string(1), status: status, name: name,
                                        description: row.string(4) ?? "")
        }, tenantID: tenantID)
        catalogue = fresh
        loadedAt = now
        return fresh
    }

}

extension MariaDBRow {
    /// A `GROUP_CONCAT` of ids as the scope queries return it, in id order as Fusio's `ORDER BY s.id` reads
    /// them (sorted here: cheaper than a sort per group on the server).
    func ids(_ column: Int) -> [Int] {
        guard let list = string(column), !list.isEmpty else { return [] }
        var ids: [Int] = []
        var value = 0
        for byte in list.utf8 {
            if byte == UInt8(ascii: ",") {
                ids.append(value)
                value = 0
            } else {
                value = value * 10 + Int(byte &- UInt8(ascii: "0"))
            }
        }
        ids.append(value)
        return ids.sorted()
    }
}
