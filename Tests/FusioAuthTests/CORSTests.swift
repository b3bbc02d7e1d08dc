import FusioAuthHTTP
import Testing

@Suite struct CORSTests {
    static let methods = "OPTIONS, HEAD, GET, POST, PUT, DELETE, PATCH"
    static let headers = "Accept, Accept-Language, Authorization, Content-Language, Content-Type, User-Agent"

    func names(_ headers: [(String, String)]) -> [String] { headers.map(\.0) }

    @Test func nothingWithoutOrigin() {
        #expect(CORS.headers(requestHeaders: [:], method: "GET").isEmpty)
        #expect(CORS.headers(requestHeaders: ["access-control-request-method": "POST",
                                              "access-control-request-headers": "authorization"],
                             method: "OPTIONS").isEmpty)
    }

    @Test(arguments: ["GET", "POST", "HEAD", "PUT", "DELETE"])
    func simpleRequestsGetOnlyTheOrigin(method: String) {
        let result = CORS.headers(requestHeaders: ["origin": "https://app.example", "access-control-request-method": "POST"],
                                  method: method)
        #expect(result.count == 1)
        #expect(result.first! == ("Access-Control-Allow-Origin", "*"))
    }

    @Test func fullPreflight() {
        let result = CORS.headers(
            requestHeaders: ["origin": "https://app.example", "access-control-request-method": "POST",
                             "access-control-request-headers": "authorization, content-type"],
            method: "OPTIONS")
        #expect(names(result) == ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
                                  "Access-Control-Allow-Headers", "Access-Control-Expose-Headers"])
        #expect(result[0].1 == "*")
        #expect(result[1].1 == Self.methods)
        #expect(result[2].1 == Self.headers)
        #expect(result[3].1 == "*")
    }

    @Test func preflightAnswersOnlyWhatWasAsked() {
        let methodOnly = CORS.headers(requestHeaders: ["origin": "x", "access-control-request-method": "GET"],
                                      method: "OPTIONS")
        #expect(names(methodOnly) == ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
                                      "Access-Control-Expose-Headers"])
        let headersOnly = CORS.headers(requestHeaders: ["origin": "x", "access-control-request-headers": "a"],
                                       method: "OPTIONS")
        #expect(names(headersOnly) == ["Access-Control-Allow-Origin", "Access-Control-Allow-Headers",
                                       "Access-Control-Expose-Headers"])
        let bare = CORS.headers(requestHeaders: ["origin": ""], method: "OPTIONS")
        #expect(names(bare) == ["Access-Control-Allow-Origin", "Access-Control-Expose-Headers"])
    }

    @Test func neverAllowsCredentials() {
        let result = CORS.headers(
            requestHeaders: ["origin": "https://app.example", "access-control-request-method": "POST",
                             "access-control-request-headers": "authorization"],
            method: "OPTIONS")
        #expect(!result.contains { $0.0 == "Access-Control-Allow-Credentials" })
    }
}
