import FusioAuth
import MariaDB

extension FusioStore {
    /// One or several threads' token writes in one transaction on this thread's connection, as the leader of a
    /// `GroupCommit` batch (a lone token too: unlike `fusioauth_issue_token`, whose status read waits for a row
    /// lock, this one never waits, so a lock meant for one token cannot hold up the writes of the whole process): one locking status read for every user and app, one multi-row INSERT of the token rows,
    /// one of their audit rows, one COMMIT. Returns, in the writes' order, whether each was written (false: its user
    /// or app is not active, exactly as `fusioauth_issue_token` refuses). Rows and values are those of
    /// `insertRows`, so a token written in a batch is byte for byte the row it would be alone. Throws when the batch
    /// failed as a whole (after `transaction`'s deadlock retries); nothing of it is then written, and the coalescer
    /// has every member write singly.
    func insertBatch(_ writes: [TokenWrite]) throws -> [Bool] {
        let size = writes.count
        precondition((1...TokenWriteBatch.maximumSize).contains(size), "FusioStore: batch of \(size) tokens")
        var principals: [MariaDBValue] = []
        principals.reserveCapacity(2 * size)
        for write in writes { principals.append(.int(Int64(write.token.userID))) }
        for write in writes { principals.append(write.token.appID.map { .int(Int64($0)) } ?? .null) }
        do {
            return try writeBatch(writes, principals: principals)
        } catch let error as MariaDBError where TokenWriteBatch.unsupportedCodes.contains(error.code) {
            // A server without multi-row INSERT … RETURNING (MariaDB < 10.5, MySQL): every later token is written
            // alone, as before group commit; this batch's members write theirs singly.
            tokenWrites?.stopBatching()
            throw error
        }
    }

    private func writeBatch(_ writes: [TokenWrite], principals: [MariaDBValue]) throws -> [Bool] {
        let size = writes.count
        return try connection.transaction({ connection in
            var active = ActivePrincipals()
            for row in try connection.query(TokenWriteBatch.lockPrincipalsSQL[size], principals) {
                guard let kind = row.int(0), let id = row.int(1), let status = row.int(2) else { continue }
                active.record(isApp: kind == 1, id: id, status: status)
            }
            let admitted = writes.map { active.admit(userID: $0.token.userID, appID: $0.token.appID) }
            let written = zip(writes, admitted).filter(\.1).map(\.0)
            guard !written.isEmpty else { return admitted }

            var values: [MariaDBValue] = []
            values.reserveCapacity(11 * written.count)
            for write in written { appendTokenRow(write.token, categoryID: write.categoryID, to: &values) }
            let returned = try connection.query(TokenWriteBatch.insertTokensSQL[written.count], values)
            var tokenIDs: [String: Int] = [:]
            for row in returned {
                if let id = row.int(0), let refresh = row.string(1) { tokenIDs[refresh] = id }
            }
            guard tokenIDs.count == written.count else { throw TokenBatchMismatch() }

            values.removeAll(keepingCapacity: true)
            for write in written {
                guard let tokenID = tokenIDs[write.token.refreshToken] else { throw TokenBatchMismatch() }
                appendAuditRow(write.audit, tokenID: tokenID, to: &values)
            }
            try connection.execute(TokenWriteBatch.insertAuditsSQL[written.count], values)
            return admitted
        }, committed: { connection in
            // A COMMIT whose answer was lost: the batch is all or nothing, so one stored member means it committed
            // (every member is asked, as an inactive one was never written). Without this, the fallback would write
            // each token again and fail on its unique key, answering an error for a token that is stored.
            try writes.contains { write in try self.refreshStored(write.token.refreshToken)(connection) }
        })
    }
}
