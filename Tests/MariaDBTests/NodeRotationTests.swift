import XCTest

@testable import MariaDB

final class NodeRotationTests: XCTestCase {
    func testStartsOnTheFirstNodeAndTriesEveryNodeOnce() {
        let rotation = NodeRotation(nodeCount: 3)
        XCTAssertEqual(rotation.connectOrder, [0, 1, 2])
    }

    func testReconnectAfterAnOrdinaryCloseStaysOnTheNode() {
        var rotation = NodeRotation(nodeCount: 3)
        rotation.connected(to: 1)
        XCTAssertEqual(rotation.connectOrder, [1, 2, 0])
    }

    func testAFailedNodeIsTriedLastAndTheNextOneFirst() {
        var rotation = NodeRotation(nodeCount: 3)
        rotation.connected(to: 0)
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.connectOrder, [1, 2, 0])
        rotation.connected(to: 1)
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.connectOrder, [2, 0, 1])
    }

    func testWrapsAroundTheEndOfTheList() {
        var rotation = NodeRotation(nodeCount: 3)
        rotation.connected(to: 2)
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.connectOrder, [0, 1, 2])
    }

    func testReportsWhetherAConnectMovedToAnotherNode() {
        var rotation = NodeRotation(nodeCount: 2)
        XCTAssertFalse(rotation.connected(to: 0))
        rotation.currentNodeFailed()
        XCTAssertTrue(rotation.connected(to: 1))
        XCTAssertFalse(rotation.currentFailed)
        XCTAssertFalse(rotation.connected(to: 1))
    }

    func testWhenEveryNodeFailedTheNextRoundStartsAfterTheLastOneUsed() {
        var rotation = NodeRotation(nodeCount: 3)
        rotation.connected(to: 1)
        rotation.currentNodeFailed()
        // No node accepted: still failed, so the next connect again starts after node 1.
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.connectOrder, [2, 0, 1])
    }

    func testFailBackIsDueOneIntervalAfterMovingToALaterNodeAndListsTheEarlierNodes() {
        var rotation = NodeRotation(nodeCount: 3, failBackMilliseconds: 30_000)
        rotation.connected(to: 0, now: 1_000)
        XCTAssertNil(rotation.failBackDue, "on the first node there is nothing to fail back to")
        rotation.currentNodeFailed()
        rotation.connected(to: 2, now: 5_000)
        XCTAssertEqual(rotation.failBackCandidates(now: 34_999), 0..<0)
        XCTAssertEqual(rotation.failBackCandidates(now: 35_000), 0..<2)
    }

    func testAReconnectOnTheSameLaterNodeKeepsItsFailBackTime() {
        var rotation = Self.failedOverToTheSecondNodeAtZero()
        rotation.connected(to: 1, now: 9_000)      // an ordinary close and reconnect, no move
        XCTAssertEqual(rotation.failBackCandidates(now: 10_000), 0..<1)
    }

    func testAFailedFailBackWaitsAnotherInterval() {
        var rotation = Self.failedOverToTheSecondNodeAtZero()
        rotation.failBackFailed(now: 10_500)
        XCTAssertEqual(rotation.failBackCandidates(now: 20_499), 0..<0)
        XCTAssertEqual(rotation.failBackCandidates(now: 20_500), 0..<1)
    }

    func testFailingBackToTheFirstNodeEndsTheSchedule() {
        var rotation = Self.failedOverToTheSecondNodeAtZero()
        XCTAssertTrue(rotation.connected(to: 0, now: 10_000))
        XCTAssertNil(rotation.failBackDue)
        XCTAssertEqual(rotation.failBackCandidates(now: 1_000_000), 0..<0)
        XCTAssertEqual(rotation.connectOrder, [0, 1])
    }

    func testNoFailBackFromAFailedNodeOrWhenTurnedOff() {
        var rotation = Self.failedOverToTheSecondNodeAtZero()
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.failBackCandidates(now: 60_000), 0..<0, "the next connect starts over anyway")
        var off = NodeRotation(nodeCount: 2)
        off.currentNodeFailed()
        off.connected(to: 1, now: 0)
        XCTAssertNil(off.failBackDue)
        XCTAssertEqual(off.failBackCandidates(now: .max), 0..<0)
    }

    func testOneThreadOfAProcessTriesANodeAtATime() {
        let probes = FailBackProbes()
        let node = MariaDBNode(host: "10.0.0.1", port: 3306), other = MariaDBNode(host: "10.0.0.2", port: 3306)
        XCTAssertTrue(probes.claim(node, now: 0, for: 5_000))
        XCTAssertFalse(probes.claim(node, now: 4_999, for: 5_000), "another thread is trying it, or found it down")
        XCTAssertTrue(probes.claim(other, now: 1, for: 5_000))
        XCTAssertTrue(probes.claim(node, now: 5_000, for: 5_000), "the interval is over")
        probes.succeeded(node)
        XCTAssertTrue(probes.claim(node, now: 5_001, for: 5_000), "the node took a connection: the others may follow")
    }

    /// Two nodes, fail-back every 10 s: the first node failed, the thread moved to the second at time 0.
    private static func failedOverToTheSecondNodeAtZero() -> NodeRotation {
        var rotation = NodeRotation(nodeCount: 2, failBackMilliseconds: 10_000)
        rotation.currentNodeFailed()
        rotation.connected(to: 1, now: 0)
        return rotation
    }

    func testASingleNodeIsRetried() {
        var rotation = NodeRotation(nodeCount: 1)
        rotation.currentNodeFailed()
        XCTAssertEqual(rotation.connectOrder, [0])
    }
}

final class NodeReadinessTests: XCTestCase {
    func testASyncedReadyGaleraNodeIsReady() {
        XCTAssertTrue(NodeReadiness(wsrepOn: "1", wsrepReady: "ON", localState: "Synced").isReady)
    }

    func testNodesThatAreNotSyncedOrNotReadyAreSkipped() {
        for state in ["Joining", "Joined", "Donor/Desynced", "Initialized"] {
            XCTAssertFalse(NodeReadiness(wsrepOn: "1", wsrepReady: "ON", localState: state).isReady, state)
        }
        XCTAssertFalse(NodeReadiness(wsrepOn: "1", wsrepReady: "OFF", localState: "Synced").isReady)
        XCTAssertFalse(NodeReadiness(wsrepOn: "ON", wsrepReady: nil, localState: nil).isReady)
    }

    func testAServerWithoutGaleraIsReady() {
        XCTAssertTrue(NodeReadiness(wsrepOn: "0", wsrepReady: nil, localState: nil).isReady)
        XCTAssertTrue(NodeReadiness(wsrepOn: "OFF", wsrepReady: "OFF", localState: "Disconnected").isReady)
        XCTAssertTrue(NodeReadiness(wsrepOn: nil, wsrepReady: nil, localState: nil).isReady)
    }
}
