import FusioAuth
import FusioCrypto
import Testing

@Suite struct CSRFTokenTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    static let binding = "client_id=abc&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&state=s"
    let csrf = CSRFToken(key: Self.key)

    @Test func formatIsExpiryDotBase64URLMAC() throws {
        let token = csrf.make(binding: Self.binding, now: 1_700_000_000)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 2)
        #expect(parts[0] == "1700000600")
        let mac = HMACSHA256.authenticate(Array("fusio-auth-csrf|1700000600|\(Self.binding)".utf8), key: Self.key)
        #expect(String(parts[1]) == Base64URL.encode(mac))
    }

    @Test func verifiesUntilTheExpirySecond() {
        let token = csrf.make(binding: Self.binding, now: 1_700_000_000)
        #expect(csrf.verify(token, binding: Self.binding, now: 1_700_000_000))
        #expect(csrf.verify(token, binding: Self.binding, now: 1_700_000_599))
        #expect(!csrf.verify(token, binding: Self.binding, now: 1_700_000_600))
        #expect(!csrf.verify(token, binding: Self.binding, now: 1_800_000_000))
    }

    @Test func lifetimeIsConfigurable() {
        let short = CSRFToken(key: Self.key, lifetimeSeconds: 5)
        let token = short.make(binding: "b", now: 100)
        #expect(token.hasPrefix("105."))
        #expect(short.verify(token, binding: "b", now: 104))
        #expect(!short.verify(token, binding: "b", now: 105))
    }

    @Test func anotherBindingOrKeyFails() {
        let token = csrf.make(binding: Self.binding, now: 1000)
        #expect(!csrf.verify(token, binding: Self.binding + "&scope=backend", now: 1000))
        #expect(!csrf.verify(token, binding: "", now: 1000))
        let other = CSRFToken(key: Array("fedcba9876543210fedcba9876543210".utf8))
        #expect(!other.verify(token, binding: Self.binding, now: 1000))
    }

    @Test func tamperingFails() throws {
        let token = csrf.make(binding: "b", now: 1000)
        let dot = try #require(token.firstIndex(of: "."))
        let mac = String(token[token.index(after: dot)...])
        // A later expiry with the old MAC.
        #expect(!csrf.verify("99999." + mac, binding: "b", now: 1000))
        // One flipped MAC character.
        var flipped = Array(mac)
        flipped[5] = flipped[5] == "A" ? "B" : "A"
        #expect(!csrf.verify("1600." + String(flipped), binding: "b", now: 1000))
        // Same expiry written differently.
        #expect(!csrf.verify("01600." + mac, binding: "b", now: 1000))
        #expect(!csrf.verify("+1600." + mac, binding: "b", now: 1000))
        #expect(csrf.verify("1600." + mac, binding: "b", now: 1000))
    }

    @Test(arguments: ["", ".", "1600", "1600.", ".abc", "abc.def", "-5.abc", "1600.a.b",
                      "99999999999999999999.abc", String(repeating: "1", count: 100)])
    func malformedTokensFail(_ token: String) {
        #expect(!csrf.verify(token, binding: "b", now: 0))
    }
}
