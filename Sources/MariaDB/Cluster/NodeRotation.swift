/// Which node of a cluster a connection uses, and which it tries when it has to (re)connect. Pure state, no I/O:
/// `MariaDBConnection` asks it for an order, tries the nodes in it, and reports where it landed.
///
/// The rule: a thread starts on the first node and stays where it is while that node works. When its node
/// fails, the next connect starts at the following node in list order, wrapping, and the failed node comes last
/// (a node that was only restarting may be back by then). There is no moving back to the first node: every
/// move costs a connect, and a healthy node is as good as any other in a synchronous cluster.
public struct NodeRotation: Sendable, Equatable {
    public let nodeCount: Int
    /// The node in use, or last in use.
    public private(set) var current = 0
    /// The current node failed (its connection died, or it answered but was not ready): move on.
    public private(set) var currentFailed = false

    public init(nodeCount: Int) {
        precondition(nodeCount > 0, "NodeRotation needs at least one node")
        self.nodeCount = nodeCount
    }

    /// The nodes to try, in this order, for the next connect: each node once.
    public var connectOrder: [Int] {
        let start = currentFailed ? current + 1 : current
        return (0..<nodeCount).map { (start + $0) % nodeCount }
    }

    /// A connect to `index` succeeded and the node is ready. Returns whether the connection moved to another
    /// node than the one it used before (a failover).
    @discardableResult
    public mutating func connected(to index: Int) -> Bool {
        precondition((0..<nodeCount).contains(index), "NodeRotation: no node \(index)")
        let moved = index != current
        current = index
        currentFailed = false
        return moved
    }

    /// The connection on the current node died or the node refused to serve.
    public mutating func currentNodeFailed() {
        currentFailed = true
    }
}
