import FusioAuth
import Testing

@Suite struct TokenGeneratorTests {
    @Test func formats() {
        for _ in 0..<100 {
            #expect(TokenGenerator.refreshToken().wholeMatch(of: /[0-9a-f]{20}-[0-9a-f]{48}-[0-9a-f]{10}/) != nil)
            #expect(TokenGenerator.authorizationCode().wholeMatch(of: /[0-9a-f]{16}/) != nil)
            #expect(TokenGenerator.appSecret().wholeMatch(of: /[0-9a-f]{64}/) != nil)
            #expect(TokenGenerator.jwtID().wholeMatch(of: /[A-Za-z0-9_-]{22}/) != nil)
            #expect(TokenGenerator.jwtID(bytes: 8).wholeMatch(of: /[A-Za-z0-9_-]{11}/) != nil)
        }
        #expect(TokenGenerator.refreshToken().utf8.count == 80)
    }

    @Test func valuesDiffer() {
        #expect(TokenGenerator.refreshToken() != TokenGenerator.refreshToken())
        #expect(TokenGenerator.appSecret() != TokenGenerator.appSecret())
        #expect(TokenGenerator.jwtID() != TokenGenerator.jwtID())
    }
}
