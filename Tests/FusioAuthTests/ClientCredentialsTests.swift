import FusioAuth
import Testing

@Suite struct ClientCredentialsTests {
    @Test func readsBasicCredentials() {
        #expect(
            ClientCredentials.fromAuthorizationHeader("Basic YXBwOnNlY3JldA==")
                == ClientCredentials(id: "app", secret: "secret"))
    }

    @Test func splitsAtTheFirstColonOnly() {
        #expect(
            ClientCredentials.fromAuthorizationHeader("Basic YTpiOmM=") == ClientCredentials(id: "a", secret: "b:c"))
    }

    @Test func keepsNonASCIICredentialsWithoutURLDecoding() {
        let credentials = ClientCredentials.fromAuthorizationHeader("Basic dXNlckBleGFtcGxlLmNvbTpww6Rzcw==")
        #expect(credentials == ClientCredentials(id: "user@example.com", secret: "p\u{E4}ss"))
    }

    @Test func decodesLenientlyLikePHP() {
        // base64_decode without $strict skips characters outside the alphabet.
        #expect(
            ClientCredentials.fromAuthorizationHeader("Basic  YXBw*On N\tlY3J!ldA")
                == ClientCredentials(id: "app", secret: "secret"))
    }

    @Test(arguments: [
        nil,
        "",
        "Basic",
        "Basic ",
        "Basic 0",
        "basic YXBwOnNlY3JldA==",
        "BASIC YXBwOnNlY3JldA==",
        "Bearer YXBwOnNlY3JldA==",
        " Basic YXBwOnNlY3JldA==",
        "Basic\tYXBwOnNlY3JldA==",
        "Basic YXBwc2VjcmV0",
        "Basic OnNlY3JldA==",
        "Basic aWQ6",
        "Basic MDpzZWNyZXQ=",
        "Basic aWQ6MA==",
        "Basic !!!!",
        "Basic //46c2VjcmV0",
    ] as [String?])
    func rejectsWhatPHPRejects(header: String?) {
        #expect(ClientCredentials.fromAuthorizationHeader(header) == nil)
    }

    @Test func descriptionsHideTheSecret() {
        let credentials = ClientCredentials(id: "app", secret: "hunter2")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, String(reflecting: credentials), "\(credentials)", dumped] {
            #expect(!text.contains("hunter2"))
            #expect(text.contains("app"))
        }
    }
}
