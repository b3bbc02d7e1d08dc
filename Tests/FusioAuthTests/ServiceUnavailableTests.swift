import FusioAuth
import FusioAuthHTTP
import Testing

/// The queue deadline's 503 speaks each endpoint's own error format and always says when to retry.
@Suite struct ServiceUnavailableTests {
    func header(_ response: HTTPResponse, _ name: String) -> String? {
        response.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    @Test func tokenEndpointGetsTheOAuthError() throws {
        let response = ServiceUnavailable.response(method: "POST", requestURI: "/authorization/token?x=1")
        #expect(response.status == 503)
        #expect(header(response, "Retry-After") == "1")
        #expect(header(response, "Cache-Control") == "no-store")
        let body = try JSONParser.parse(response.body)
        guard case .object(let object) = body else { Issue.record("not an object"); return }
        #expect(object.keys == ["error", "error_description"])
        #expect(object["error"] == .string("temporarily_unavailable"))
    }

    @Test func consumerLoginGetsFusiosGenericError() throws {
        let response = ServiceUnavailable.response(method: "POST", requestURI: "/consumer/login")
        #expect(response.status == 503)
        #expect(header(response, "Retry-After") == "1")
        guard case .object(let object) = try JSONParser.parse(response.body) else { Issue.record("not an object"); return }
        #expect(object["success"] == .bool(false))
    }

    @Test func consentPageGetsAnHTMLPage() {
        let response = ServiceUnavailable.response(method: "POST", requestURI: "/authorization/authorize?client_id=a")
        #expect(response.status == 503)
        #expect(header(response, "Retry-After") == "1")
        #expect(header(response, "Content-Type")?.hasPrefix("text/html") == true)
    }
}
