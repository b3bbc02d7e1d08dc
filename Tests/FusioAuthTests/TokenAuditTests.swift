import FusioAuth
import Testing

@Suite struct TokenAuditTests {
    private static func audit(_ scopes: [String], expires: Int64 = 1_700_172_800, now: Int64 = 1_700_000_000) -> TokenAudit {
        TokenAudit(appID: 3, userID: 1, ip: "127.0.0.1", scopes: scopes,
                   expires: UnixTime(seconds: expires), now: UnixTime(seconds: now))
    }

    /// What Fusio's `json_encode` of the audit array gives (slashes escaped), built with the general writer.
    private static func reference(_ audit: TokenAudit, tokenID: Int) -> String {
        let object: JSONObject = [
            "tokenId": .int(tokenID), "scope": .array(audit.scopes.map { .string($0) }),
            "expires": .string(audit.expires.databaseString), "now": .string(audit.now.databaseString),
        ]
        return String(decoding: JSONWriter.encode(.object(object), escapeSlashes: true), as: UTF8.self)
    }

    @Test func writesFusiosContent() {
        #expect(Self.audit(["authorization", "backend"]).content(tokenID: 42)
            == #"{"tokenId":42,"scope":["authorization","backend"],"expires":"2023-11-16 22:13:20","now":"2023-11-14 22:13:20"}"#)
        #expect(Self.audit([]).contentTail == #","scope":[],"expires":"2023-11-16 22:13:20","now":"2023-11-14 22:13:20"}"#)
    }

    @Test(arguments: [
        [String](), ["authorization"], ["a/b", "quote\"d", "back\\slash", "tab\there"], ["ünïcödé", "😀", "\u{7F}\u{01}"],
        (0..<120).map { "scope.number.\($0)/sub" },
    ])
    func matchesTheGeneralWriter(scopes: [String]) {
        for tokenID in [0, 7, -3, Int.max, Int.min] {
            let audit = Self.audit(scopes)
            #expect(audit.content(tokenID: tokenID) == Self.reference(audit, tokenID: tokenID))
            #expect("{\"tokenId\":\(tokenID)" + audit.contentTail == audit.content(tokenID: tokenID))
        }
    }

    @Test func writesDatesOutsideFourDigitYears() {
        // Year 10000 and year -1: the buffer is sized for the widest year an Int64 of seconds can give.
        let audit = Self.audit(["a"], expires: 253_402_300_800, now: -62_198_755_200)
        #expect(audit.content(tokenID: 1) == Self.reference(audit, tokenID: 1))
        #expect(audit.contentTail.contains("\"expires\":\"10000-01-01 00:00:00\""))
        let extreme = Self.audit(["a"], expires: Int64.max / 2, now: Int64.min / 2)
        #expect(extreme.content(tokenID: 1) == Self.reference(extreme, tokenID: 1))
    }
}
