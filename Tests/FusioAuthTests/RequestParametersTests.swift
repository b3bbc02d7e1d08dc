import FusioAuthHTTP
import Testing

@Suite struct RequestParametersTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsFormParameters() throws {
        let parameters = try RequestParameters.form(bytes("grant_type=client_credentials&scope=foo+bar"))
        #expect(parameters["grant_type"] == "client_credentials")
        #expect(parameters["scope"] == "foo bar")
        #expect(parameters["missing"] == nil)
        #expect(parameters.names == ["grant_type", "scope"])
    }

    @Test func rejectsDuplicateFormParameters() {
        #expect(throws: RequestParameterError.duplicateParameter("scope")) {
            try RequestParameters.form(self.bytes("scope=a&grant_type=password&scope=b"))
        }
    }

    @Test func collectsBracketListsLikePHP() throws {
        let parameters = try RequestParameters.form(bytes("username=u&scopes[]=a&scopes%5B%5D=b&scopes[]="))
        #expect(parameters.list("scopes") == ["a", "b", ""])
        #expect(parameters["scopes"] == nil)
        #expect(parameters.list("username") == nil)
        #expect(parameters.names == ["username", "scopes"])
    }

    @Test func rejectsAScalarAndAListOfTheSameName() {
        #expect(throws: RequestParameterError.duplicateParameter("scopes")) {
            try RequestParameters.form(self.bytes("scopes=a&scopes[]=b"))
        }
        #expect(throws: RequestParameterError.duplicateParameter("scopes")) {
            try RequestParameters.form(self.bytes("scopes[]=b&scopes=a"))
        }
    }

    @Test func ignoresNamelessPairs() throws {
        let parameters = try RequestParameters.form(bytes("=x&[]=y&a=1"))
        #expect(parameters.names == ["a"])
    }

    @Test func propagatesEncodingErrors() {
        #expect(throws: RequestParameterError.invalidEncoding) {
            try RequestParameters.form(self.bytes("code=%4"))
        }
    }

    @Test func readsQueryStrings() throws {
        let parameters = try RequestParameters.query("response_type=code&client_id=abc&state=x%2By")
        #expect(parameters["client_id"] == "abc")
        #expect(parameters["state"] == "x+y")
        #expect(throws: RequestParameterError.duplicateParameter("state")) {
            try RequestParameters.query("state=1&state=2")
        }
    }

    @Test func readsJSONObjects() throws {
        let parameters = try RequestParameters.json(
            bytes(#"{"username":"u","password":"p","count":42,"yes":true,"no":false,"gone":null,"scopes":["a","b"]}"#))
        #expect(parameters["username"] == "u")
        #expect(parameters["count"] == "42")
        #expect(parameters["yes"] == "1")
        #expect(parameters["no"] == "")
        #expect(parameters["gone"] == nil)
        #expect(parameters.list("scopes") == ["a", "b"])
        #expect(parameters.names == ["username", "password", "count", "yes", "no", "scopes"])
    }

    @Test(arguments: [#"["grant_type"]"#, #""text""#, "42", "null", "", "{", #"{"a":1,}"#, #"{"a":1,"a":2}"#])
    func rejectsBodiesThatAreNotOneJSONObject(body: String) {
        #expect {
            try RequestParameters.json(self.bytes(body))
        } throws: { error in
            guard case .malformedBody = error as? RequestParameterError else { return false }
            return true
        }
    }

    @Test(arguments: [
        #"{"password":{"inner":"hunter2"}}"#,
        #"{"password":["hunter2",1]}"#,
        #"{"password":1.5}"#,
        #"{"password":[["hunter2"]]}"#,
    ])
    func rejectsValuesWithoutAParameterForm(body: String) {
        #expect {
            try RequestParameters.json(self.bytes(body))
        } throws: { error in
            guard let error = error as? RequestParameterError, error == .unsupportedValue("password") else {
                return false
            }
            return !error.description.contains("hunter2")
        }
    }

    @Test func errorDescriptionsNeverEchoValues() {
        do {
            _ = try RequestParameters.form(bytes("password=hunter2&password=hunter3"))
            Issue.record("expected a duplicate error")
        } catch {
            #expect(error.description.contains("password"))
            #expect(!error.description.contains("hunter"))
        }
        #expect(!RequestParameterError.duplicateParameter("a\nb").description.contains("\n"))
    }

    @Test func descriptionsShowNamesOnly() throws {
        let parameters = try RequestParameters.form(bytes("username=u&password=hunter2"))
        var dumped = ""
        dump(parameters, to: &dumped)
        for text in [parameters.description, String(reflecting: parameters), dumped] {
            #expect(text.contains("password"))
            #expect(!text.contains("hunter2"))
        }
    }

    /// Past the linear limit a name index takes over; duplicates, lists and look-ups behave the same.
    @Test func manyParametersBehaveLikeFew() throws {
        let names = (0..<40).map { "p\($0)" }
        let body = names.map { "\($0)=v\($0.dropFirst())" }.joined(separator: "&") + "&list[]=a&list[]=b"
        let parameters = try RequestParameters.form(bytes(body))
        #expect(parameters.names == names + ["list"])
        #expect(parameters["p0"] == "v0")
        #expect(parameters["p16"] == "v16")
        #expect(parameters["p39"] == "v39")
        #expect(parameters["p40"] == nil)
        #expect(parameters.list("list") == ["a", "b"])
        #expect(parameters.scalars.pairs.map { $0.name } == names)
        #expect(throws: RequestParameterError.duplicateParameter("p3")) {
            try RequestParameters.form(self.bytes(body + "&p3=again"))
        }
        #expect(throws: RequestParameterError.duplicateParameter("list")) {
            try RequestParameters.form(self.bytes(body + "&list=scalar"))
        }
        #expect(throws: RequestParameterError.duplicateParameter("p20")) {
            try RequestParameters.form(self.bytes(body + "&p20[]=x"))
        }
    }

    @Test func scalarsKeepOrderAndLeaveListsOut() throws {
        let parameters = try RequestParameters.form(bytes("scope=a&scopes[]=x&grant_type=password&username=u"))
        let scalars = parameters.scalars
        #expect(scalars.pairs.map { $0.name } == ["scope", "grant_type", "username"])
        #expect(scalars["grant_type"] == "password")
        #expect(scalars["scopes"] == nil)
    }

    @Test func limitsNameTheFirstParameterOverItsLimit() throws {
        let long = String(repeating: "x", count: 65)
        #expect(ParameterLimits.violation(in: try .form(bytes("grant_type=\(long)&scope=\(long)"))) == "grant_type")
        #expect(ParameterLimits.violation(in: try .form(bytes("other=\(long)&grant_type=client_credentials"))) == nil)
        let scope = String(repeating: "s", count: 1024)
        #expect(ParameterLimits.violation(in: try .form(bytes("scope=\(scope)"))) == "scope")
        #expect(ParameterLimits.violation(in: try .form(bytes("scope=\(scope.dropLast())"))) == nil)
        let items = (0...256).map { _ in "scopes[]=a" }.joined(separator: "&")
        #expect(ParameterLimits.violation(in: try .form(bytes(items))) == "scopes")
        #expect(ParameterLimits.violation(in: try .form(bytes("code_verifier[]=\(long)\(long)"))) == "code_verifier")
    }

    /// `[]` is found on bytes, as PHP's parse_str does: U+0600 would otherwise join `[` into one grapheme.
    @Test func listSuffixIsMatchedOnBytes() throws {
        let parameters = try RequestParameters.form(bytes("x%D8%80[]=1&y%CC%81=2"))
        #expect(parameters.list("x\u{600}") == ["1"])
        #expect(parameters["y\u{301}"] == "2")
    }
}
