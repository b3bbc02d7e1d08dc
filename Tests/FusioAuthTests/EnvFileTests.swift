import FusioAuth
import Testing

@Suite struct EnvFileTests {
    @Test func readsTheDistributionSample() throws {
        let text = """
            # Fusio
            APP_ENV="prod"
            APP_DEBUG="false"
            APP_URL="http://127.0.0.1"
            APP_PROJECT_KEY="cee262a5a1bdd205cbfe0dfc2ad4eddf"
            APP_TENANT_ID=""
            APP_CONNECTION="pdo-mysql://root:test1234@localhost/fusio"

            FUSIO_ENV="dev" # dev or prod
            APP_MAILER=native://default
            """
        let values = try EnvFile.parse(text)
        #expect(values["APP_ENV"] == "prod")
        #expect(values["APP_URL"] == "http://127.0.0.1")
        #expect(values["APP_PROJECT_KEY"] == "cee262a5a1bdd205cbfe0dfc2ad4eddf")
        #expect(values["APP_TENANT_ID"] == "")
        #expect(values["APP_CONNECTION"] == "pdo-mysql://root:test1234@localhost/fusio")
        #expect(values["FUSIO_ENV"] == "dev")
        #expect(values["APP_MAILER"] == "native://default")
        #expect(values.count == 8)
    }

    @Test func unquotedValuesAreTrimmedAndLoseTrailingComments() throws {
        let values = try EnvFile.parse("A=  value   # comment\nB=a#b\nC=\nD= # only a comment\nE=#x\n")
        #expect(values["A"] == "value")
        #expect(values["B"] == "a#b")
        #expect(values["C"] == "")
        #expect(values["D"] == "")
        #expect(values["E"] == "")
    }

    @Test func exportPrefixAndIndentationAreAccepted() throws {
        let values = try EnvFile.parse("export A=1\n  \texport B=\"2\"\n\t_C9=3\nexport D\n")
        #expect(values == ["A": "1", "B": "2", "_C9": "3"])
    }

    @Test func doubleQuotedValuesUnescape() throws {
        let values = try EnvFile.parse(#"A="q\"b\\s\nn\rr\tt\$HOME \x""#)
        #expect(values["A"] == "q\"b\\s\nn\rr\tt$HOME \\x")
    }

    @Test func singleQuotedValuesAreLiteral() throws {
        let values = try EnvFile.parse(#"A='a\n $HOME "x" # not a comment'  # comment"#)
        #expect(values["A"] == #"a\n $HOME "x" # not a comment"#)
    }

    @Test func windowsLineEndingsAndLaterDuplicates() throws {
        let values = try EnvFile.parse("A=1\r\nA=2\r\nB=\"x\"\r\n")
        #expect(values == ["A": "2", "B": "x"])
    }

    @Test(arguments: [
        ("A=1\nB=2\n1BAD=secret-value", 3),
        ("A=1\nNAME secret-value", 2),
        ("A=\"secret-value", 1),
        ("A=1\n\nB='secret-value", 3),
        ("A=\"secret-value\"trailing", 1),
        ("A=secret value", 1),
        ("A=${SECRET_VALUE}", 1),
        ("A=\"$SECRET_VALUE\"", 1),
        ("A=$(secret-value)", 1),
        ("A=secret\"value\"", 1),
        ("export", 1),
        ("KEY =secret-value", 1),
    ])
    func malformedLinesNameTheLineButNotItsContent(text: String, line: Int) {
        #expect {
            try EnvFile.parse(text)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.description.contains("line \(line):") && !error.description.contains("secret")
                && !error.description.contains("SECRET")
        }
    }

    @Test func literalDollarSignsThatCannotExpandAreKept() throws {
        let values = try EnvFile.parse("A=pa$$\nB=\"x\\${Y}\"\nC=$1")
        #expect(values == ["A": "pa$$", "B": "x${Y}", "C": "$1"])
    }
}
