import FusioAuth
import Testing

/// Rows per table as keys; deletes take the lowest keys above the cursor, as the MariaDB store does.
private final class FakeCleanupStore: CleanupStore {
    var keys: [CleanupTable: [Int64]] = [:]
    var calls: [(table: CleanupTable, cursor: Int64?, limit: Int)] = []
    var usesCursor = true

    func countExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int {
        keys[table, default: []].count
    }

    func deletionBound(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int {
        usesCursor ? Int(keys[table, default: []].max() ?? 0) : keys[table, default: []].count
    }

    func deleteExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs, after cursor: Int64?,
                       limit: Int) throws(StorageError) -> CleanupBatch {
        calls.append((table, cursor, limit))
        let batch = Array(keys[table, default: []].filter { $0 > (cursor ?? Int64.min) }.sorted().prefix(limit))
        keys[table, default: []].removeAll { batch.contains($0) }
        return CleanupBatch(deleted: batch.count, lastKey: usesCursor ? batch.last : nil)
    }
}

@Suite struct TableCleanerTests {
    private let cutoffs = CleanupCutoffs(now: UnixTime(seconds: 1_700_000_000), olderThan: ISODuration(days: 30),
                                         abuse: .defaults)

    private func options(batch: Int, pause: Int = 0, dryRun: Bool = false) throws -> CleanupOptions {
        try CleanupOptions(olderThan: "P30D", batchSize: batch, pauseMilliseconds: pause, dryRun: dryRun)
    }

    @Test func deletesInBatchesResumingAfterTheLastKey() throws {
        let store = FakeCleanupStore()
        store.keys[.token] = [3, 5, 8, 13, 21]
        let report = try TableCleaner(store: store, options: options(batch: 2), pause: { _ in }).run(cutoffs: cutoffs)
        #expect(report.count(.token) == 5)
        #expect(store.keys[.token] == [])
        let tokenCalls = store.calls.filter { $0.table == .token }
        #expect(tokenCalls.map(\.cursor) == [nil, 5, 13])
        #expect(tokenCalls.allSatisfy { $0.limit == 2 })
    }

    @Test func tablesWithoutIntegerKeyRestartFromTheTop() throws {
        let store = FakeCleanupStore()
        store.usesCursor = false
        store.keys[.loginAttempt] = [1, 2, 3, 4]
        let report = try TableCleaner(store: store, options: options(batch: 2), pause: { _ in }).run(cutoffs: cutoffs)
        #expect(report.count(.loginAttempt) == 4)
        // 2 + 2 + a last, empty batch that shows nothing is left.
        #expect(store.calls.filter { $0.table == .loginAttempt }.map(\.cursor) == [nil, nil, nil])
    }

    @Test func dryRunCountsTheSameAndDeletesNothing() throws {
        let store = FakeCleanupStore()
        store.keys = [.token: [1, 2, 3], .appCode: [7], .loginSource: [4, 9]]
        let dry = try TableCleaner(store: store, options: options(batch: 2, dryRun: true), pause: { _ in }).run(cutoffs: cutoffs)
        #expect(store.calls.isEmpty)
        let real = try TableCleaner(store: store, options: options(batch: 2), pause: { _ in }).run(cutoffs: cutoffs)
        #expect(dry.lines.dropFirst() == real.lines.dropFirst())
        #expect(dry.lines.first == "dry_run=1")
        #expect(real.lines == ["dry_run=0", "fusio_token=3", "fusio_app_code=1", "fusioauth_code_challenge=0",
                               "fusioauth_login_attempt=0", "fusioauth_login_source=2"])
    }

    @Test func pausesOnlyBetweenBatches() throws {
        let store = FakeCleanupStore()
        store.keys[.token] = [1, 2, 3, 4, 5]
        var pauses: [Int] = []
        _ = try TableCleaner(store: store, options: options(batch: 2, pause: 7), pause: { pauses.append($0) })
            .run(cutoffs: cutoffs)
        #expect(pauses == [7, 7])
    }

    @Test func batchesAreBoundedByTheCount() throws {
        // A store that claims to delete a full batch forever must not keep the loop going past its bound.
        final class EndlessStore: CleanupStore {
            var deletes = 0
            func countExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int { 4 }
            func deletionBound(_ table: CleanupTable, cutoffs: CleanupCutoffs) throws(StorageError) -> Int { 4 }
            func deleteExpired(_ table: CleanupTable, cutoffs: CleanupCutoffs, after cursor: Int64?,
                               limit: Int) throws(StorageError) -> CleanupBatch {
                deletes += 1
                return CleanupBatch(deleted: limit, lastKey: nil)
            }
        }
        let store = EndlessStore()
        _ = try TableCleaner(store: store, options: options(batch: 2), pause: { _ in }).run(cutoffs: cutoffs)
        #expect(store.deletes == CleanupTable.allCases.count * 4)
    }
}
