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
