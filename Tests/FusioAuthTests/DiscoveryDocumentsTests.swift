import FusioAuth
import Testing

@Suite struct DiscoveryDocumentsTests {
    static let scopes = ["bar", "default", "foo", "plan_scope"]

    // §3.7, from impl tests/Controller/WellKnown/GetOpenIDConfigurationTest.php, verbatim.
    static let fusioOpenIDConfiguration = """
        {
          "issuer": "http://127.0.0.1",
          "authorization_endpoint": "http://127.0.0.1/authorization/authorize",
          "token_endpoint": "http://127.0.0.1/authorization/token",
          "token_endpoint_auth_methods_supported": ["client_secret_basic"],
          "token_endpoint_auth_signing_alg_values_supported": ["HS256"],
          "userinfo_endpoint": "http://127.0.0.1/authorization/whoami",
          "scopes_supported": ["bar", "default", "foo", "plan_scope"],
          "response_types_supported": ["code"],
          "response_modes_supported": ["query"],
          "grant_types_supported": ["authorization_code", "client_credentials", "password", "refresh_token"],
          "claims_supported": ["iss", "sub", "iat", "exp", "name", "preferred_username", "aud", "email"],
          "service_documentation": "https://docs.fusio-project.org/"
        }
        """

    static func fusio() throws -> JSONObject {
        try #require(try JSONParser.parse(Array(fusioOpenIDConfiguration.utf8)).objectValue)
    }

    /// Fusio's document with the additions of issue 4: one member replaced in place, three appended.
    static func withAdditions(_ fusio: JSONObject) -> JSONObject {
        var expected = fusio
        expected["token_endpoint_auth_methods_supported"] =
            .array([.string("client_secret_basic"), .string("client_secret_post"), .string("none")])
        expected.append("revocation_endpoint", .string("http://127.0.0.1/authorization/revoke"))
        expected.append("introspection_endpoint", .string("http://127.0.0.1/authorization/introspect"))
        expected.append("code_challenge_methods_supported", .array([.string("S256"), .string("plain")]))
        return expected
    }

    @Test func openIDConfigurationIsFusiosPlusAdditions() throws {
        let document = DiscoveryDocuments.openIDConfiguration(baseURL: "http://127.0.0.1", scopes: Self.scopes)
        #expect(document == Self.withAdditions(try Self.fusio()))
        // Fusio's members first, in Fusio's order.
        #expect(Array(document.keys.prefix(12)) == (try Self.fusio()).keys)
    }

    @Test func authorizationServerHasNoClaims() throws {
        var fusio = try Self.fusio()
        fusio["claims_supported"] = nil
        let document = DiscoveryDocuments.authorizationServer(baseURL: "http://127.0.0.1", scopes: Self.scopes)
        #expect(document == Self.withAdditions(fusio))
        #expect(document["claims_supported"] == nil)
    }

    @Test func baseURLIsVerbatimAndEndpointsUseTheDispatchURL() {
        let document = DiscoveryDocuments.openIDConfiguration(baseURL: "https://api.example.com/fusio/", scopes: [])
        #expect(document["issuer"] == .string("https://api.example.com/fusio/"))
        #expect(document["token_endpoint"] == .string("https://api.example.com/fusio//authorization/token"))
        #expect(document["scopes_supported"] == .array([]))
    }

    @Test func encodedText() {
        let document = DiscoveryDocuments.authorizationServer(baseURL: "http://127.0.0.1", scopes: ["default"])
        let text = String(decoding: JSONWriter.encode(.object(document)), as: UTF8.self)
        #expect(text.hasPrefix(#"{"issuer":"http://127.0.0.1","authorization_endpoint":"http://127.0.0.1/authorization/authorize","#))
        #expect(text.hasSuffix(#""code_challenge_methods_supported":["S256","plain"]}"#))
    }

    @Test func protectedResource() throws {
        let expected = try #require(try JSONParser.parse(Array("""
            {"resource": "http://127.0.0.1", "authorization_servers": ["http://127.0.0.1"],
             "scopes_supported": ["bar", "default", "foo", "plan_scope"], "bearer_methods_supported": ["header"],
             "resource_signing_alg_values_supported": ["HS256"]}
            """.utf8)).objectValue)
        #expect(DiscoveryDocuments.protectedResource(baseURL: "http://127.0.0.1", path: nil, scopes: Self.scopes)
            == expected)

        let withPath = DiscoveryDocuments.protectedResource(baseURL: "http://127.0.0.1", path: "api/v1", scopes: [])
        #expect(withPath["resource"] == .string("http://127.0.0.1/api/v1"))
        #expect(withPath["authorization_servers"] == .array([.string("http://127.0.0.1")]))
        #expect(withPath.keys == expected.keys)
    }
}
