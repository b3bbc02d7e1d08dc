import FusioAuth
@testable import FusioAuthHTTP
import Logging
import Testing

@Suite struct RouterTests {
    struct Echo: HTTPHandler {
        func handle(_ request: HTTPRequest) -> HTTPResponse { HTTPResponse(status: 200, body: Array(request.path.utf8)) }
    }

    func request(_ method: String, _ uri: String, problem: HTTPError? = nil) -> HTTPRequest {
        HTTPRequest(method: method, requestURI: uri, headers: [:], body: [], bodyProblem: problem, remoteAddress: "127.0.0.1")
    }

    @Test func routesOnThePathWithoutQuery() {
        let router = Router()
        router.add("POST", "/authorization/token", Echo())
        let response = router.respond(to: request("POST", "/authorization/token?x=1"))
        #expect(response.status == 200)
        #expect(response.body == Array("/authorization/token".utf8))
    }

    @Test func unknownPathIs404JSON() {
        let response = Router().respond(to: request("GET", "/nope"))
        #expect(response.status == 404)
        #expect(response.headers.contains { $0 == ("Content-Type", "application/json") })
    }

    @Test func wrongMethodIs405WithAllow() {
        let router = Router()
        router.add("POST", "/consumer/login", Echo())
        router.add("PUT", "/consumer/login", Echo())
        let response = router.respond(to: request("GET", "/consumer/login"))
        #expect(response.status == 405)
        #expect(response.headers.contains { $0 == ("Allow", "OPTIONS, POST, PUT") })
    }

    @Test func bodyProblemIsAnsweredBeforeTheHandler() {
        let router = Router()
        router.add("POST", "/x", Echo())
        #expect(router.respond(to: request("POST", "/x", problem: .payloadTooLarge)).status == 413)
    }

    @Test func tokenErrorsCarryNoStoreAndTheOAuthShape() throws {
        let response = TokenController.render(.unknownCredentials)
        #expect(response.status == 401)
        #expect(response.headers.contains { $0 == ("Cache-Control", "no-store") })
        #expect(response.headers.contains { $0 == ("Pragma", "no-cache") })
        #expect(response.headers.contains { $0 == ("WWW-Authenticate", "Basic realm=\"Fusio\"") })
        let body = try JSONParser.parse(response.body)
        #expect(body == .object(["error": .string("invalid_client"), "error_description": .string("Unknown credentials")]))
    }

    @Test func bodiesAreReadByContentType() throws {
        func parse(_ type: String?, _ body: String) throws -> RequestParameters? {
            try RequestParameters.ofBody(HTTPRequest(
                method: "POST", requestURI: "/", headers: type.map { ["content-type": $0] } ?? [:],
                body: Array(body.utf8), remoteAddress: ""))
        }
        #expect(try parse("application/x-www-form-urlencoded; charset=UTF-8", "grant_type=password")?["grant_type"] == "password")
        #expect(try parse("Application/JSON", #"{"grant_type":"password"}"#)?["grant_type"] == "password")
        #expect(try parse(nil, #" {"grant_type":"x"}"#)?["grant_type"] == "x")
        #expect(try parse(nil, "grant_type=y")?["grant_type"] == "y")
        #expect(try parse("text/plain", "grant_type=y") == nil)
        #expect(throws: RequestParameterError.self) { try parse("application/x-www-form-urlencoded", "a=1&a=2") }
    }
}
