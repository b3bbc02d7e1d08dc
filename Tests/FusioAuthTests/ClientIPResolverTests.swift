import FusioAuth
import FusioAuthHTTP
import Testing

@Suite struct ClientIPResolverTests {
    let resolver = ClientIPResolver(trustedHeader: "X-Forwarded-For", trustedProxies: IPAddressRange.list("127.0.0.0/8,10.0.0.0/8")!)

    func request(remote: String, forwarded: String?) -> HTTPRequest {
        HTTPRequest(method: "POST", requestURI: "/", headers: forwarded.map { ["x-forwarded-for": $0] } ?? [:], body: [],
                    remoteAddress: remote)
    }

    @Test func rightMostUntrustedAddressFromATrustedPeer() {
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: "198.51.100.7")) == "198.51.100.7")
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: "1.1.1.1, 198.51.100.7, 10.0.0.5")) == "198.51.100.7")
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: "2001:db8::1")) == "2001:db8::1")
    }

    @Test func untrustedPeersCannotChooseTheirAddress() {
        #expect(resolver.resolve(request(remote: "203.0.113.5", forwarded: "198.51.100.7")) == "203.0.113.5")
    }

    @Test func invalidHeaderFallsBackToThePeer() {
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: "not-an-ip")) == "127.0.0.1")
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: "198.51.100.7, garbage")) == "127.0.0.1")
        #expect(resolver.resolve(request(remote: "127.0.0.1", forwarded: nil)) == "127.0.0.1")
    }
}

@Suite struct ClientIPCanonicalTests {
    @Test func longSpellingsBecomeShortEnoughForFusiosColumns() {
        #expect(ClientIP.canonical("0000:0000:0000:0000:0000:ffff:192.0.2.1") == "::ffff:192.0.2.1")
        #expect(ClientIP.canonical("2001:0DB8:0000:0000:0000:0000:0000:0001") == "2001:db8::1")
        #expect(ClientIP.canonical("192.0.2.1") == "192.0.2.1")
        #expect(ClientIP.canonical("nope") == nil)
        #expect((ClientIP.canonical("1111:2222:3333:4444:5555:6666:7777:8888")?.count ?? 99) <= 39)
    }
}
