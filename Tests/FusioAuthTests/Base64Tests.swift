import FusioCrypto
import Testing

@Suite struct Base64Tests {
    // RFC 4648 §10 vectors, URL-safe alphabet without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64URLRoundTrip(plain: String, encoded: String) {
        #expect(Base64URL.encode(plain.utf8) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    // RFC 4648 §10 vectors with padding, plus the two characters where the alphabets differ.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func standardBase64Encodes(plain: String, encoded: String) {
        #expect(Base64.encode(plain.utf8) == encoded)
        #expect(Base64.decodeLenient(encoded) == Array(plain.utf8))
    }

    @Test func standardBase64UsesPlusAndSlash() {
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
    }

    @Test func base64URLUsesURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test(arguments: ["Zg==", "Zm8=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v.", "é"])
    func base64URLRejects(input: String) {
        #expect(Base64URL.decode(input) == nil)
    }

    @Test func base64URLDecodesSubstrings() {
        let token = "abc.Zm9v.def"
        let middle = token.split(separator: ".")[1]
        #expect(Base64URL.decode(middle) == Array("foo".utf8))
    }

    // Expected values produced by PHP 8.2 `base64_decode($s)` (non-strict).
    @Test(arguments: [
        ("YWJj", [97, 98, 99]),
        ("YWJjZA==", [97, 98, 99, 100]),
        ("YWJj ZA", [97, 98, 99, 100]),
        ("Y!W=Jj", [97, 98, 99]),
        ("YQ", [97]),
        ("Y", []),
        ("YQ==YQ==", [0x61, 0x06, 0x10]),
        ("", []),
        ("dXNlcjpwYXNz\r\n", Array("user:pass".utf8)),
        ("+/+/", [0xFB, 0xFF, 0xBF]),
        ("-_-_", []),
        ("\u{E9}YW\u{FF}Jj\u{0}ZA", [97, 98, 99, 100]),
        ("YWI", [97, 98]),
    ] as [(String, [UInt8])])
    func lenientDecodingMatchesPHP(input: String, expected: [UInt8]) {
        #expect(Base64.decodeLenient(input) == expected)
    }

    /// Whatever the length and wherever foreign characters sit, the lenient decoder gives back what was encoded.
    @Test func lenientDecodingRoundTripsAroundNoise() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var noisy = ""
            for character in Base64.encode(bytes) {
                if Bool.random(using: &generator) { noisy += [" ", "\n", "!", "-", "_", "\u{E9}"].randomElement(using: &generator)! }
                noisy.append(character)
            }
            #expect(Base64.decodeLenient(noisy) == bytes)
        }
    }
}
