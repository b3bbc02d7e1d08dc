import FusioAuth
import MariaDB
import Metrics

/// One token write as it travels through the process's `GroupCommit`: the rows to write, with the category id the
/// submitting thread resolved on its own connection.
public struct TokenWrite: Sendable {
    let token: NewToken
    let audit: TokenAudit
    let categoryID: Int
}

/// The process-wide coalescer of token writes (`FusioStore.insert`), shared by every thread's store.
public typealias TokenWriteCoalescer = GroupCommit<TokenWrite, Bool>

/// The statements of a batch of token writes, one set per batch size: prepared statements are cached per
/// connection (at most 256), so the size is bounded by `maximumSize` and each size's text is built once.
public enum TokenWriteBatch {
    /// 32 tokens per transaction: a process has 16 standard threads and a few password threads by default, so this
    /// bound only matters with `--threads` above ~30, and three statements per size stay well inside the
    /// connection's statement cache.
    static let maximumSize = 32

    /// The histogram of batch sizes: its `_count` is transactions, its `_sum` the tokens they wrote (a lone write
    /// counts as a batch of one). Every process registers it with these buckets (`MetricsBackend`).
    public static let sizeMetric = "fusio_auth_token_write_batch_size"
    public static let sizeBuckets: [Double] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]

    /// A process-wide coalescer whose batches are recorded in `sizeMetric`, and batches that fell back to single
    /// writes in `fusio_auth_token_write_fallbacks_total`.
    public static func coalescer() -> TokenWriteCoalescer {
        let sizes = Recorder(label: sizeMetric)
        let fallbacks = Counter(label: "fusio_auth_token_write_fallbacks_total")
        // One batch in flight per process: measured against two and three (scripts/bench-style runs, 16 connections),
        // one gave the largest batches and the least mariadbd CPU per token at no loss of req/s.
        return TokenWriteCoalescer(maximumBatch: maximumSize, maximumWriters: 1) { batch in
            sizes.record(batch.size)
            if batch.fellBack { fallbacks.increment() }
        }
    }

    /// 1064 syntax error, 1235 not supported: the server cannot run these statements (no INSERT … RETURNING).
    static let unsupportedCodes: Set<UInt32> = [1064, 1235]

    /// The locking status read of every user and app in the batch, as `fusioauth_issue_token` reads one pair, but
    /// NOWAIT: a row another transaction holds (a deactivation in progress) fails the batch at once (1205), and its
    /// members then write singly, each waiting for that lock on its own thread as today, instead of one lock holding
    /// up every token write of the process. Ids repeat and an app-less token passes NULL: IN ignores both.
    static let lockPrincipalsSQL: [String] = sizes { size in
        let list = placeholders(size, "?")
        return """
            (SELECT 0, id, status FROM fusio_user WHERE id IN (\(list)) LOCK IN SHARE MODE NOWAIT)
            UNION ALL
            (SELECT 1, id, status FROM fusio_app WHERE id IN (\(list)) LOCK IN SHARE MODE NOWAIT)
            """
    }

    /// The token rows in one statement; the ids come back from the server (RETURNING, MariaDB ≥ 10.5), never as
    /// lastInsertID + k: with Galera, auto_increment_increment is the cluster size. `refresh` (random, 256 bits)
    /// says which row each id belongs to.
    static let insertTokensSQL: [String] = sizes { size in
        """
        INSERT INTO fusio_token (tenant_id, category_id, app_id, user_id, status, name, token, refresh, scope, ip,
                                 expire, date)
        VALUES \(placeholders(size, "(?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)")) RETURNING id, refresh
        """
    }

    static let insertAuditsSQL: [String] = sizes { size in
        """
        INSERT INTO fusio_audit (tenant_id, app_id, user_id, ref_id, event, ip, message, content, date)
        VALUES \(placeholders(size, "(?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        """
    }

    /// Index `size` holds the statement for `size` rows (index 0 is unused).
    private static func sizes(_ make: (Int) -> String) -> [String] {
        (0...maximumSize).map { $0 == 0 ? "" : make($0) }
    }

    private static func placeholders(_ count: Int, _ group: String) -> String {
        Array(repeating: group, count: count).joined(separator: ", ")
    }
}

/// The batch did not go as the statements promise (a row without its id): its members write singly.
struct TokenBatchMismatch: Error {}
