import FusioAuthHTTP
import Testing

@Suite struct HTTPHeadersTests {
    @Test func findsByExactNameAndTheLastValueWins() {
        var headers: HTTPHeaders = ["user-agent": "curl/8", "origin": "https://a.example"]
        headers.add("x-forwarded-for", "10.0.0.1")
        headers.add("user-agent", "later")
        #expect(headers["user-agent"] == "later")
        #expect(headers["origin"] == "https://a.example")
        #expect(headers["x-forwarded-for"] == "10.0.0.1")
        // Same length as "origin", different bytes; a prefix; a different case.
        #expect(headers["orient"] == nil)
        #expect(headers["user"] == nil)
        #expect(headers["Origin"] == nil)
        #expect(HTTPHeaders()["origin"] == nil)
    }

    @Test func sortedByNameKeepsEachNameOnceWithItsLastValue() {
        var headers: HTTPHeaders = ["user-agent": "first", "accept": "*/*"]
        headers.add("authorization", "Basic x")
        headers.add("user-agent", "second")
        let sorted = headers.sortedByName
        #expect(sorted.map { $0.name } == ["accept", "authorization", "user-agent"])
        #expect(sorted.map { $0.value } == ["*/*", "Basic x", "second"])
    }
}
