import FusioAuth
import Testing

@Suite struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    @Test(arguments: [
        ("null", JSONValue.null),
        (" true ", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)),
        ("9223372036854775808", .double(9223372036854775808.0)),
        ("1.5", .double(1.5)),
        ("1e2", .double(100)),
        ("-2.5E-3", .double(-0.0025)),
        ("1.0", .double(1)),
        (#""""#, .string("")),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
        (#""\u00e9\u00E9""#, .string("éé")),
        (#""\ud83d\ude00""#, .string("😀")),
        (#""\u0000""#, .string("\u{0}")),
        ("\"é😀\"", .string("é😀")),
        ("[]", .array([])),
        ("[1, [2, []], {}]", .array([.int(1), .array([.int(2), .array([])]), .object(JSONObject())])),
        (#"{"b":1,"a":{"c":null}}"#, .object(["b": .int(1), "a": .object(["c": .null])])),
        (" \t\r\n{ \"k\" : \"v\" } \n", .object(["k": .string("v")])),
    ])
    func accepts(input: String, expected: JSONValue) throws {
        #expect(try parse(input) == expected)
    }

    @Test(arguments: [
        "", " ", "nul", "nulls", "True", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "[1] x", "[1]]", "01", "-01", "00", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "1e400",
        "\"unterminated", "\"tab\there\"", "\"line\nbreak\"", #""\x41""#, #""\u12""#, #""\u12G4""#,
        #""\ud83d""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83dx""#, "// c\n1", "/* c */ 1", "[1] // c",
        "{\"a\":1,\"a\":2}", "\u{FEFF}1", "\u{0}", "[\u{0}]", "1\u{0}", "[", "{", "{\"a\"", "{\"a\":",
    ])
    func rejects(input: String) {
        #expect(throws: JSONParseError.self) { try parse(input) }
    }

    @Test(arguments: [
        [0x22, 0xC0, 0xAF, 0x22],             // overlong '/'
        [0x22, 0xE0, 0x80, 0xAF, 0x22],       // overlong, 3 bytes
        [0x22, 0xED, 0xA0, 0x80, 0x22],       // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xC3, 0x22],                   // truncated sequence
        [0x22, 0x80, 0x22],                   // lone continuation byte
        [0x22, 0xFF, 0x22],
        [0xC3, 0xA9],                         // non-ASCII outside a string
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func depthLimit() throws {
        let nested = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        _ = try parse(nested)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONParseError.self) { try parse(tooDeep) }
        #expect(throws: JSONParseError.self) { try parse(#"{"a":{"b":1}}"#, maxDepth: 1) }
        _ = try parse(#"{"a":1}"#, maxDepth: 1)
        // Deep enough to overflow the stack without the limit.
        let hostile = String(repeating: "[", count: 200_000)
        #expect(throws: JSONParseError.self) { try parse(hostile) }
    }

    @Test func duplicateKeysInLargeObjects() {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: Never.self) { try parse("{" + members + "}") }
        #expect(throws: JSONParseError.self) { try parse("{" + members + ",\"k50\":0}") }
    }

    @Test func keepsMemberOrder() throws {
        let value = try parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.objectValue?["a"] == .int(2))
    }

    @Test func errorNamesOffsetButNotInput() {
        do {
            _ = try parse(#"{"secret-password": tru}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 23)
            #expect(!error.description.contains("secret"))
            #expect(!error.description.contains("tru"))
        }
    }

    @Test func acceptsNonArrayCollections() throws {
        #expect(try JSONParser.parse("[1]".utf8) == .array([.int(1)]))
        let bytes = Array("xx[2]xx".utf8)
        #expect(try JSONParser.parse(bytes[2..<5]) == .array([.int(2)]))
    }

    /// Mutated documents must only ever produce a value or a JSONParseError; a crash fails the whole run.
    @Test func mutatedInputsNeverCrash() {
        let seed = Array(#"{"iss":"http://127.0.0.1","n":[1,-2.5e3,true,null,{"é":"\ud83d\ude00\n"}],"x":""}"#.utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let interesting: [UInt8] = [0x00, 0x22, 0x5C, 0x5B, 0x5D, 0x7B, 0x7D, 0x2C, 0x3A, 0x2D, 0x30, 0x65, 0x75, 0xC0, 0xED, 0xF4, 0xFF]
        var outcomes = (values: 0, errors: 0)
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<(1 + next() % 4) {
                let position = next() % bytes.count
                switch next() % 3 {
                case 0: bytes[position] = interesting[next() % interesting.count]
                case 1: bytes.remove(at: position)
                default: bytes.insert(interesting[next() % interesting.count], at: position)
                }
                if bytes.isEmpty { bytes = [0x31] }
            }
            do {
                let value = try JSONParser.parse(bytes)
                // Whatever parses must re-encode stably (whole floats such as -2500.0 come back as
                // integers, as in PHP, so compare the encoded bytes rather than the values).
                let encoded = JSONWriter.encode(value)
                #expect(try JSONWriter.encode(JSONParser.parse(encoded)) == encoded)
                outcomes.values += 1
            } catch {
                outcomes.errors += 1
            }
        }
        #expect(outcomes.values > 0 && outcomes.errors > 0)
    }
}
