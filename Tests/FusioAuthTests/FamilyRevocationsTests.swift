import FusioAuth
import Testing

@Suite struct FamilyRevocationsTests {
    struct Failure: Error {}

    let revocations = FamilyRevocations()
    let family = FamilyRevocations.Family(userID: 2, appID: 3)

    @Test func aRequestForAFamilyBeingRevokedGetsOneMorePassInsteadOfItsOwn() {
        var passes = 0
        var asked: [Bool] = []
        revocations.revoke(family) {
            passes += 1
            guard passes == 1 else { return }
            // three more requests for the family while the first pass runs (other threads, in the service)
            for _ in 0..<3 { asked.append(revocations.revoke(family) { Issue.record("ran on the asking thread") }) }
        }
        #expect(asked == [false, false, false])
        #expect(passes == 2, "one more pass for all that asked meanwhile, after the first")
        #expect(revocations.revoke(family) {}, "done: the next request runs its own")
    }

    @Test func otherFamiliesAreNotHeldUp() {
        var ran: [String] = []
        revocations.revoke(family) {
            #expect(revocations.revoke(.init(userID: 2, appID: 4)) { ran.append("other app") })
            #expect(revocations.revoke(.init(userID: 2, appID: nil)) { ran.append("app-less") })
            #expect(revocations.revoke(.init(userID: 5, appID: 3)) { ran.append("other user") })
        }
        #expect(ran == ["other app", "app-less", "other user"])
    }

    @Test func aFailedRevocationFreesTheFamily() {
        #expect(throws: Failure.self) { try revocations.revoke(family) { () throws(Failure) in throw Failure() } }
        #expect(revocations.revoke(family) {})
    }
}
