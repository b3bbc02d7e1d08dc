import FusioAuth
import FusioCrypto
import Testing

@Suite struct JSONWebTokenTests {
    /// Reference §4.1 test vector (PHP php-jwt 7.0.5 `JWT::encode` gives the same bytes).
    static let key = Array("42eec18ffdbffc9fda6110dcc705d6ce".utf8)
    static let payloadJSON = #"{"iss":"http://127.0.0.1","sub":"2a11f995-1306-5494-aaa5-51c74d882e07","iat":1700000000,"exp":1700172800,"name":"Consumer","preferred_username":"Consumer","aud":"5347307d-d801-4075-9aaa-a21a29a448c5","email":"consumer@localhost.com"}"#
    static let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xIiwic3ViIjoiMmExMWY5OTUtMTMwNi01NDk0LWFhYTUtNTFjNzRkODgyZTA3IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAxNzI4MDAsIm5hbWUiOiJDb25zdW1lciIsInByZWZlcnJlZF91c2VybmFtZSI6IkNvbnN1bWVyIiwiYXVkIjoiNTM0NzMwN2QtZDgwMS00MDc1LTlhYWEtYTIxYTI5YTQ0OGM1IiwiZW1haWwiOiJjb25zdW1lckBsb2NhbGhvc3QuY29tIn0.COKp9mENxDx7WiU4m6qGj6pTVd7LOjXtKGMrPjbVIZ0"

    static var claims: AccessTokenClaims {
        AccessTokenClaims(
            issuer: "http://127.0.0.1",
            subject: FusioSubject.make(baseURL: "http://127.0.0.1", userID: 2),
            issuedAt: 1_700_000_000, expiresAt: 1_700_172_800, name: "Consumer",
            audience: "5347307d-d801-4075-9aaa-a21a29a448c5", email: "consumer@localhost.com")
    }

    /// Signs an arbitrary header/payload pair with the test key, for tokens PHP Fusio would never make.
    private func forge(header: String, payload: String, key: [UInt8] = key) -> String {
        let signingInput = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.utf8)
        return signingInput + "." + Base64URL.encode(HMACSHA256.authenticate(signingInput.utf8, key: key))
    }

    private func rejection(_ token: String, now: Int64 = 1_700_000_001, key: [UInt8] = key) -> JWTError? {
        do {
            _ = try JSONWebToken.verify(token, key: key, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func headerConstant() {
        #expect(Base64URL.encode(#"{"typ":"JWT","alg":"HS256"}"#.utf8) == JSONWebToken.headerSegment)
    }

    @Test func signsTheReferenceVectorByteForByte() {
        let payload = Self.claims.payload
        #expect(String(decoding: JSONWriter.encode(.object(payload)), as: UTF8.self) == Self.payloadJSON)
        #expect(Self.payloadJSON.utf8.count == 233)
        let token = JSONWebToken.sign(payload: payload, key: Self.key)
        #expect(token == Self.token)
        #expect(token.utf8.count == 392)
    }

    @Test func verifiesTheReferenceVector() throws {
        let payload = try JSONWebToken.verify(Self.token, key: Self.key, now: 1_700_000_001)
        #expect(payload == Self.claims.payload)
        #expect(payload["sub"] == .string("2a11f995-1306-5494-aaa5-51c74d882e07"))
        // iat == now and exp == now + 1 are both still valid.
        _ = try JSONWebToken.verify(Self.token, key: Self.key, now: 1_700_000_000)
        _ = try JSONWebToken.verify(Self.token, key: Self.key, now: 1_700_172_799)
    }

    @Test func rejectsExpiredAndFutureTokens() {
        #expect(rejection(Self.token, now: 1_700_172_800) == .expired)
        #expect(rejection(Self.token, now: 1_800_000_000) == .expired)
        #expect(rejection(Self.token, now: 1_699_999_999) == .notYetValid)
    }

    @Test func rejectsTamperedSignatures() {
        var bytes = Array(Self.token.utf8)
        bytes[bytes.count - 5] = bytes[bytes.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(rejection(String(decoding: bytes, as: UTF8.self)) == .invalidSignature)
        #expect(rejection(String(Self.token.dropLast())) == .invalidSignature)
        #expect(rejection(Self.token + "A") == .invalidSignature)
        #expect(rejection(Self.token, key: Array("42eec18ffdbffc9fda6110dcc705d6cf".utf8)) == .invalidSignature)
        let parts = Self.token.split(separator: ".").map(String.init)
        #expect(rejection(parts[0] + "." + parts[1] + ".") == .invalidSignature)
        // Payload changed, signature kept.
        let otherPayload = Base64URL.encode(Self.payloadJSON.replacingOccurrences("Consumer", "Administrator").utf8)
        #expect(rejection(parts[0] + "." + otherPayload + "." + parts[2]) == .invalidSignature)
    }

    @Test func rejectsOtherAlgorithms() {
        let payload = Self.payloadJSON
        #expect(rejection(forge(header: #"{"typ":"JWT","alg":"none"}"#, payload: payload)) == .unsupportedAlgorithm)
        #expect(rejection(forge(header: #"{"typ":"JWT","alg":"HS512"}"#, payload: payload)) == .unsupportedAlgorithm)
        #expect(rejection(forge(header: #"{"typ":"JWT","alg":"hs256"}"#, payload: payload)) == .unsupportedAlgorithm)
        #expect(rejection(forge(header: #"{"typ":"JWT"}"#, payload: payload)) == .unsupportedAlgorithm)
        // Unsigned "alg: none" token as an attacker would send it.
        let unsigned = Base64URL.encode(#"{"alg":"none"}"#.utf8) + "." + Base64URL.encode(payload.utf8) + "."
        #expect(rejection(unsigned) == .unsupportedAlgorithm)
        // A different header that php-jwt also accepts.
        #expect(rejection(forge(header: #"{"alg":"HS256"}"#, payload: payload)) == nil)
    }

    @Test func rejectsMalformedTokens() {
        let parts = Self.token.split(separator: ".").map(String.init)
        #expect(rejection(parts[0] + "." + parts[1]) == .malformed)
        #expect(rejection(Self.token + ".x") == .malformed)
        #expect(rejection("") == .malformed)
        #expect(rejection("abc") == .malformed)
        #expect(rejection("..") == .invalidHeader)
        #expect(rejection(String(repeating: "a", count: 100_000) + ".b.c") == .malformed)
        #expect(rejection("!!!." + parts[1] + "." + parts[2]) == .invalidHeader)
        #expect(rejection(Base64URL.encode("not json".utf8) + "." + parts[1] + "." + parts[2]) == .invalidHeader)
        #expect(rejection(Base64URL.encode("[1]".utf8) + "." + parts[1] + "." + parts[2]) == .invalidHeader)
        #expect(rejection(Base64URL.encode(#"{"alg":"HS256""#.utf8) + "." + parts[1] + "." + parts[2]) == .invalidHeader)
    }

    @Test func rejectsMalformedPayloads() {
        let header = #"{"typ":"JWT","alg":"HS256"}"#
        #expect(rejection(forge(header: header, payload: "not json")) == .invalidClaims)
        #expect(rejection(forge(header: header, payload: "[]")) == .invalidClaims)
        #expect(rejection(forge(header: header, payload: #"{"exp":1800000000,}"#)) == .invalidClaims)
        #expect(rejection(forge(header: header, payload: #"{"exp":"1800000000"}"#)) == .invalidClaims)
        #expect(rejection(forge(header: header, payload: #"{"iat":true}"#)) == .invalidClaims)
        let badBase64 = Base64URL.encode(header.utf8) + ".***"
        let token = badBase64 + "." + Base64URL.encode(HMACSHA256.authenticate(badBase64.utf8, key: Self.key))
        #expect(rejection(token) == .invalidClaims)
    }

    @Test func claimChecksFollowPHPJWT() {
        let header = #"{"typ":"JWT","alg":"HS256"}"#
        let now: Int64 = 1_700_000_001
        // nbf takes precedence over iat.
        #expect(rejection(forge(header: header, payload: #"{"nbf":1700000002,"iat":1}"#), now: now) == .notYetValid)
        #expect(rejection(forge(header: header, payload: #"{"nbf":1700000001,"iat":1800000000}"#), now: now) == nil)
        #expect(rejection(forge(header: header, payload: #"{"iat":1700000002}"#), now: now) == .notYetValid)
        // floor() on float claims; exp compared exactly.
        #expect(rejection(forge(header: header, payload: #"{"iat":1700000001.9}"#), now: now) == nil)
        #expect(rejection(forge(header: header, payload: #"{"exp":1700000001.5}"#), now: now) == nil)
        #expect(rejection(forge(header: header, payload: #"{"exp":1700000001}"#), now: now) == .expired)
        // Absent or null claims are not checked (PHP isset).
        #expect(rejection(forge(header: header, payload: "{}"), now: now) == nil)
        #expect(rejection(forge(header: header, payload: #"{"exp":null,"nbf":null}"#), now: now) == nil)
    }

    @Test func shortKeysAreRefused() {
        let shortKey = Array("0123456789abcdef0123456789abcde".utf8)
        let token = JSONWebToken.sign(payload: Self.claims.payload, key: shortKey)
        #expect(rejection(token, key: shortKey) == .keyTooShort)
    }

    /// Any single-character change to the token must be rejected with an error, never accepted or crash —
    /// strict base64url makes even the unused low bits of the last signature character count.
    @Test func everySingleCharacterChangeIsRejected() {
        let original = Array(Self.token.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ".utf8)
        var rejected = 0
        for position in original.indices {
            for replacement in alphabet where replacement != original[position] {
                var bytes = original
                bytes[position] = replacement
                if rejection(String(decoding: bytes, as: UTF8.self)) != nil { rejected += 1 }
            }
        }
        #expect(rejected == original.count * (alphabet.count - 1))
    }

    @Test func signedTokensVerify() throws {
        var claims = Self.claims
        claims.jwtID = TokenGenerator.jwtID()
        claims.name = "Zoë/Ünïcödé 😀"
        let token = JSONWebToken.sign(payload: claims.payload, key: Self.key)
        #expect(try JSONWebToken.verify(token, key: Self.key, now: 1_700_000_000) == claims.payload)
    }
}

private extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
