/// Which node of a cluster a connection uses, and which it tries when it has to (re)connect. Pure state, no I/O:
/// `MariaDBConnection` asks it for an order, tries the nodes in it, and reports where it landed.
///
/// The rule: a thread starts on the first node and stays where it is while that node works. When its node
/// fails, the next connect starts at the following node in list order, wrapping, and the failed node comes last
/// (a node that was only restarting may be back by then).
///
/// Fail-back: the list puts each pool's nearest node first and gives pools different first nodes so that writes
/// spread (README, "More than one machine"). A thread that failed over would otherwise keep that spread broken
/// long after the node is back, so a thread on a later node asks, every `failBackMilliseconds`, for the nodes
/// before it (`failBackCandidates`) — between requests, never inside one (`MariaDBConnection.failBackIfDue`).
public struct NodeRotation: Sendable, Equatable {
    public let nodeCount: Int
    /// The node in use, or last in use.
    public private(set) var current = 0
    /// The current node failed (its connection died, or it answered but was not ready): move on.
    public private(set) var currentFailed = false
    /// How long a thread stays on a later node before it tries the earlier ones again; 0: never.
    public let failBackMilliseconds: Int64
    /// When (monotonic milliseconds) the earlier nodes are due to be tried; nil on the first node.
    public private(set) var failBackDue: Int64?

    public init(nodeCount: Int, failBackMilliseconds: Int64 = 0) {
        precondition(nodeCount > 0, "NodeRotation needs at least one node")
        precondition(failBackMilliseconds >= 0, "NodeRotation: negative fail-back interval")
        self.nodeCount = nodeCount
        self.failBackMilliseconds = failBackMilliseconds
    }

    /// The nodes to try, in this order, for the next connect: each node once.
    public var connectOrder: [Int] {
        let start = currentFailed ? current + 1 : current
        return (0..<nodeCount).map { (start + $0) % nodeCount }
    }

    /// A connect to `index` succeeded and the node is ready. Returns whether the connection moved to another
    /// node than the one it used before (a failover).
    /// `now`: monotonic milliseconds, from which a connection on a later node counts to its fail-back.
    @discardableResult
    public mutating func connected(to index: Int, now: Int64 = 0) -> Bool {
        precondition((0..<nodeCount).contains(index), "NodeRotation: no node \(index)")
        let moved = index != current
        current = index
        currentFailed = false
        if index == 0 || failBackMilliseconds == 0 {
            failBackDue = nil
        } else if moved || failBackDue == nil {
            failBackDue = now + failBackMilliseconds
        }
        return moved
    }

    /// The nodes before the current one, preferred first, once the fail-back is due; none on the first node,
    /// when the current node has failed (the next connect starts over anyway) or when fail-back is off.
    public func failBackCandidates(now: Int64) -> Range<Int> {
        guard let due = failBackDue, now >= due, !currentFailed else { return 0..<0 }
        return 0..<current
    }

    /// The candidates were tried and none would do: ask again one interval from `now`.
    public mutating func failBackFailed(now: Int64) {
        if failBackDue != nil { failBackDue = now + failBackMilliseconds }
    }

    /// The connection on the current node died or the node refused to serve.
    public mutating func currentNodeFailed() {
        currentFailed = true
    }
}
