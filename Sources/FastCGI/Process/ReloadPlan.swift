import Glibc

/// A graceful reload in progress: the slots still to replace, one at a time, and the new worker now starting
/// for one of them. The old worker of a slot is stopped only when its successor reported ready, so the pool
/// never serves with fewer ready workers than it has slots.
struct ReloadPlan {
    struct Successor {
        var slot: Int
        var pid: pid_t
        var startedAt: Int64
    }

    /// A successor that is not ready by then is given up, and with it the rest of the reload.
    static let readyTimeoutMilliseconds: Int64 = 30_000

    private(set) var remaining: [Int]
    var successor: Successor?

    init(slots: Range<Int>) {
        remaining = Array(slots)
    }

    var isFinished: Bool { remaining.isEmpty && successor == nil }

    /// The next slot to replace, when no successor is starting.
    mutating func nextSlot() -> Int? {
        guard successor == nil, !remaining.isEmpty else { return nil }
        return remaining.removeFirst()
    }

    func successorTimedOut(at now: Int64) -> Bool {
        guard let successor else { return false }
        return now - successor.startedAt > Self.readyTimeoutMilliseconds
    }
}
