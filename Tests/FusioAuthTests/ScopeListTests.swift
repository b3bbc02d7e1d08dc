import FusioAuth
import Testing

@Suite struct ScopeListTests {
    @Test(arguments: [
        ("foo,bar", ["foo", "bar"]),
        ("foo bar", ["foo", "bar"]),
        ("foo, bar", ["foo", " bar"]),
        ("foo,bar baz", ["foo", "bar baz"]),
        ("foo  bar", ["foo", "", "bar"]),
        ("foo,,bar,", ["foo", "", "bar", ""]),
        ("", [""]),
        ("foo", ["foo"]),
    ])
    func splitsLikeFusio(text: String, expected: [String]) {
        #expect(ScopeList.split(text) == expected)
    }

    @Test func joinsWithCommas() {
        #expect(ScopeList.join(["foo", "bar"]) == "foo,bar")
        #expect(ScopeList.join([]) == "")
    }

    @Test func splitsOnBytesNotGraphemes() {
        // "," followed by a combining acute accent is one Character but still a comma byte for PHP.
        #expect(ScopeList.split("a,\u{301}b") == ["a", "\u{301}b"])
    }
}
