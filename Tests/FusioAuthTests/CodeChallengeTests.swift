import FusioAuth
import Testing

@Suite struct CodeChallengeTests {
    // RFC 7636 Appendix B
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    @Test func s256MatchesTheRFCVector() {
        #expect(CodeChallenge(challenge: Self.challenge, method: .s256).isSatisfied(by: Self.verifier))
    }

    @Test func s256RejectsAnotherVerifier() {
        #expect(!CodeChallenge(challenge: Self.challenge, method: .s256).isSatisfied(by: Self.verifier.replacingFirst("d", "e")))
    }

    @Test func plainComparesVerbatim() {
        #expect(CodeChallenge(challenge: Self.verifier, method: .plain).isSatisfied(by: Self.verifier))
        #expect(!CodeChallenge(challenge: Self.verifier, method: .plain).isSatisfied(by: Self.challenge))
    }

    @Test(arguments: ["short", String(repeating: "a", count: 129), String(repeating: "a", count: 42) + "!", ""])
    func malformedVerifiersNeverMatch(_ verifier: String) {
        #expect(!CodeChallenge.isWellFormed(verifier))
        #expect(!CodeChallenge(challenge: verifier, method: .plain).isSatisfied(by: verifier))
    }
}

private extension String {
    func replacingFirst(_ target: Character, _ replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
