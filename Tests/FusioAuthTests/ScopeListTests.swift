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
        ("caf\u{E9},a\u{301} \u{1F600}", ["caf\u{E9}", "a\u{301} \u{1F600}"]),
        (" ", ["", ""]),
    ])
    func splitsLikeFusio(text: String, expected: [String]) {
        #expect(ScopeList.split(text) == expected)
    }

    @Test func joinsWithCommas() {
        #expect(ScopeList.join(["foo", "bar"]) == "foo,bar")
        #expect(ScopeList.join([]) == "")
        #expect(ScopeList.join(["only"]) == "only")
        #expect(ScopeList.join(["", "", "caf\u{E9}", "a\u{301}", "😀"]) == ",,caf\u{E9},a\u{301},😀")
        #expect(ScopeList.join(["", ""]).utf8.count == 1)
    }

    @Test func splitsOnBytesNotGraphemes() {
        // "," followed by a combining acute accent is one Character but still a comma byte for PHP.
        #expect(ScopeList.split("a,\u{301}b") == ["a", "\u{301}b"])
    }
}
