import FusioAuthHTTP
import Testing

@Suite struct HTTPRequestTests {
    @Test(arguments: [
        ("/authorization/token", "/authorization/token", ""),
        ("/consumer/authorize?client_id=a&state=x%3F?y", "/consumer/authorize", "client_id=a&state=x%3F?y"),
        ("/p?", "/p", ""),
        ("?only=query", "", "only=query"),
        ("/caf\u{E9}/a\u{301}?q=\u{1F600}", "/caf\u{E9}/a\u{301}", "q=\u{1F600}"),
    ])
    func splitsPathAndQueryAtTheFirstQuestionMark(uri: String, path: String, query: String) {
        let request = HTTPRequest(method: "GET", requestURI: uri, headers: [:], body: [], remoteAddress: "127.0.0.1")
        #expect(request.path == path)
        #expect(request.query == query)
    }
}
