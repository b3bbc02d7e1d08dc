import Synchronization

/// The earlier nodes a worker process's threads are trying, or found unusable a moment ago; shared by all
/// `MariaDBConnection`s of the process. The threads that failed over together come due for fail-back together:
/// without this, each would try a node that is still down at the same moment, and against a host that does not
/// answer at all each would wait the whole connect timeout while requests queue. One thread tries; the others skip
/// the node until its interval is over or it took a connection.
final class FailBackProbes: Sendable {
    static let shared = FailBackProbes()

    /// Per node: monotonic milliseconds before which no other thread tries it.
    private let quietUntil = Mutex<[MariaDBNode: Int64]>([:])

    /// Whether this thread may try `node` now; if so, the others leave it alone for `milliseconds`.
    func claim(_ node: MariaDBNode, now: Int64, for milliseconds: Int64) -> Bool {
        quietUntil.withLock { quiet in
            if let until = quiet[node], until > now { return false }
            quiet[node] = now + milliseconds
            return true
        }
    }

    /// `node` took a connection: the other threads may follow as soon as they are due.
    func succeeded(_ node: MariaDBNode) {
        _ = quietUntil.withLock { $0.removeValue(forKey: node) }
    }
}
