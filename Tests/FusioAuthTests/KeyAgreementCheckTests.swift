import FusioAuth
import Testing

@Suite struct KeyAgreementCheckTests {
    let check = KeyAgreementCheck(key: DoctorFacts.key, appURL: DoctorFacts.appURL, now: DoctorFacts.now)

    @Test func picksThePHPTokenOverNewerOnesWithJti() {
        var facts = DoctorFacts.ready()
        let other = Array("another key, also 32 bytes long!".utf8)
        facts.recentTokens = [
            StoredTokenString(id: 9, token: DoctorFacts.token(["iss": .string(DoctorFacts.appURL), "jti": .string("x")])),
            StoredTokenString(id: 8, token: DoctorFacts.token(["iss": .string(DoctorFacts.appURL)], key: other)),
        ]
        let result = check.evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail.hasPrefix("newest PHP-issued token (id 8) does not verify"))
    }

    @Test func anExpiredTokenStillShowsTheKeysAgree() {
        let result = check.evaluate(DoctorFacts.ready())
        #expect(result.status == .ok)
        #expect(result.detail.hasPrefix("newest PHP-issued token (id 7) verifies"))
    }

    @Test func fallsBackToTheNewestTokenAndSaysSo() {
        var facts = DoctorFacts.ready()
        facts.recentTokens = [StoredTokenString(id: 3, token: DoctorFacts.token(["iss": .string(DoctorFacts.appURL), "jti": .string("x")]))]
        #expect(check.evaluate(facts).detail.contains("no PHP-issued token found"))
        facts.recentTokens = []
        #expect(check.evaluate(facts).status == .warn)
    }

    @Test func anotherIssuerFails() {
        var facts = DoctorFacts.ready()
        facts.recentTokens = [StoredTokenString(id: 4, token: DoctorFacts.token(["iss": .string("https://api.example.com/")]))]
        let result = check.evaluate(facts)
        #expect(result.status == .fail)
        #expect(result.detail.contains("its iss is https://api.example.com/"))
    }
}
