import FusioAuth
import Testing

@Suite struct FamilyRevocationsTests {
    struct Failure: Error {}

    let revocations = FamilyRevocations()
    let family = FamilyRevocations.Family(userID: 2, appID: 3)

    @Test func aFamilyIsRevokedByOneThreadAtATimeAndOthersStillRun() {
        var ran: [String] = []
        revocations.revokeUnlessRunning(family) {
            ran.append("first")
            #expect(!revocations.revokeUnlessRunning(family) { ran.append("same family meanwhile") })
            #expect(revocations.revokeUnlessRunning(.init(userID: 2, appID: 4)) { ran.append("other app") })
            #expect(revocations.revokeUnlessRunning(.init(userID: 2, appID: nil)) { ran.append("app-less") })
        }
        #expect(revocations.revokeUnlessRunning(family) { ran.append("after") })
        #expect(ran == ["first", "other app", "app-less", "after"])
    }

    @Test func aFailedRevocationFreesTheFamily() {
        #expect(throws: Failure.self) { try revocations.revokeUnlessRunning(family) { () throws(Failure) in throw Failure() } }
        #expect(revocations.revokeUnlessRunning(family) {})
    }
}
