import FusioAuth
import Testing

@Suite struct JSONWriterTests {
    private func encoded(_ value: JSONValue, escapeSlashes: Bool = false) -> String {
        String(decoding: JSONWriter.encode(value, escapeSlashes: escapeSlashes), as: UTF8.self)
    }

    // Expected strings are PHP 8.2 `json_encode($v, JSON_UNESCAPED_SLASHES)` output.
    @Test(arguments: [
        ("é", #""\u00e9""#),
        ("😀", #""\ud83d\ude00""#),
        ("a/b", #""a/b""#),
        ("\"\\", #""\"\\""#),
        ("\u{08}\u{0C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{00}\u{01}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("€ ü", #""\u20ac \u00fc""#),
        ("\u{FFFF}\u{10FFFF}", #""\uffff\udbff\udfff""#),
        ("", #""""#),
        ("plain ascii text", #""plain ascii text""#),
    ])
    func stringEscaping(input: String, expected: String) {
        #expect(encoded(.string(input)) == expected)
    }

    /// The writer skips runs of 8 plain bytes at a time: a byte to escape must be found at every offset in a
    /// word, in the tail after the last whole word, and right after a multi-byte sequence.
    @Test(arguments: [("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{01}", #"\u0001"#), ("\u{1F}", #"\u001f"#),
                      ("é", #"\u00e9"#), ("😀", #"\ud83d\ude00"#), ("/", #"\/"#), (" ", " "), ("\u{7F}", "\u{7F}")])
    func escapesAtEveryOffsetOfALongRun(special: String, escaped: String) {
        for before in 0..<20 {
            let head = String(repeating: "a", count: before), tail = String(repeating: "z", count: 19 - before)
            #expect(encoded(.string(head + special + tail), escapeSlashes: true) == "\"" + head + escaped + tail + "\"")
            let unescapedSlash = special == "/" ? "/" : escaped
            #expect(encoded(.string(head + special + tail + special)) == "\"" + head + unescapedSlash + tail + unescapedSlash + "\"")
        }
    }

    @Test func slashEscapingIsOptional() {
        #expect(encoded(.string("a/b"), escapeSlashes: true) == #""a\/b""#)
        #expect(encoded(.object(["a/b": .string("é/")]), escapeSlashes: true) == #"{"a\/b":"\u00e9\/"}"#)
    }

    @Test func scalarsAndContainers() {
        #expect(encoded(.null) == "null")
        #expect(encoded(.bool(true)) == "true")
        #expect(encoded(.bool(false)) == "false")
        #expect(encoded(.int(0)) == "0")
        #expect(encoded(.int(-42)) == "-42")
        #expect(encoded(.int(Int.max)) == "9223372036854775807")
        #expect(encoded(.int(Int.min)) == "-9223372036854775808")
        #expect(encoded(.array([])) == "[]")
        #expect(encoded(.object(JSONObject())) == "{}")
        #expect(encoded(.array([.int(1), .string("x"), .null, .array([.bool(true)])])) == #"[1,"x",null,[true]]"#)
        let object: JSONObject = ["z": .int(1), "a": .object(["k": .string("v")]), "m": .array([])]
        #expect(encoded(.object(object)) == #"{"z":1,"a":{"k":"v"},"m":[]}"#)
    }

    // PHP 8.2 `json_encode([1e25, 1e-7, 0.1, 1.0, 1.5e300, -0.0, 123456789012345678.0, 1e16, 1e17, 0.0001,
    // 0.00001, 5e-324, 1.7976931348623157e308, 100.0, 0.5, -2.5e-5])`.
    @Test func doublesLikePHP() {
        let values: [Double] = [1e25, 1e-7, 0.1, 1.0, 1.5e300, -0.0, 123456789012345678.0, 1e16, 1e17, 0.0001,
                                0.00001, .leastNonzeroMagnitude, 1.7976931348623157e308, 100.0, 0.5, -2.5e-5]
        #expect(encoded(.array(values.map(JSONValue.double)))
            == "[1.0e+25,1.0e-7,0.1,1,1.5e+300,-0,1.2345678901234568e+17,10000000000000000,1.0e+17,0.0001,"
            + "1.0e-5,5.0e-324,1.7976931348623157e+308,100,0.5,-2.5e-5]")
        #expect(encoded(.double(.nan)) == "0")
    }

    @Test func roundTripsThroughParser() throws {
        let value: JSONValue = .object([
            "s": .string("é😀\u{0}\"/\\"), "n": .int(-7), "d": .double(2.5), "a": .array([.null, .bool(false)]),
        ])
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.encode(value, escapeSlashes: true)) == value)
    }
}
