import FusioAuthHTTP
import Testing

@Suite struct FormURLEncodedTests {
    func parse(_ text: String) throws(RequestParameterError) -> [String] {
        try FormURLEncoded.parse(Array(text.utf8)).map { "\($0.name)=\($0.value)" }
    }

    @Test func decodesPlusAndEscapes() throws {
        #expect(try parse("a=b+c&d=%2B%20x&e=%c3%a4") == ["a=b c", "d=+ x", "e=\u{E4}"])
    }

    @Test func skipsEmptySegmentsAndKeepsBareNames() throws {
        #expect(try parse("&&a&b=&=c&d=1=2&") == ["a=", "b=", "=c", "d=1=2"])
        #expect(try parse("").isEmpty)
    }

    @Test func keepsDuplicatesInOrder() throws {
        #expect(try parse("a=1&a=2") == ["a=1", "a=2"])
    }

    @Test(arguments: ["a=%G1", "a=%4", "a=%", "a%=1", "a=%%41", "a=%FF", "a=%C3", "%ZZ=1"])
    func rejectsBrokenEncoding(text: String) {
        #expect(throws: RequestParameterError.invalidEncoding) { try parse(text) }
    }

    @Test func encodesLikeHTTPBuildQuery() {
        #expect(
            FormURLEncoded.encode([("a b", "c&d/\u{E9}"), ("safe", "A-z_0.9"), ("t", "~*'!")])
                == "a+b=c%26d%2F%C3%A9&safe=A-z_0.9&t=%7E%2A%27%21")
        #expect(FormURLEncoded.encode([]) == "")
    }

    @Test func encodingRoundTrips() throws {
        let pairs = [("scope", "foo,bar baz"), ("redirect_uri", "https://x.example/cb?a=1&b=2"), ("e", "")]
        let decoded = try FormURLEncoded.parse(Array(FormURLEncoded.encode(pairs).utf8))
        #expect(decoded.map(\.name) == pairs.map(\.0))
        #expect(decoded.map(\.value) == pairs.map(\.1))
    }
}
