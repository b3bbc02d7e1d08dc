import FusioAuth
import Testing

@Suite struct FusioUUIDTests {
    @Test func pseudoRandomFormat() {
        var seen = Set<String>()
        for _ in 0..<500 {
            let uuid = FusioUUID.pseudoRandom()
            #expect(uuid.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
            // Fusio's layout repeats hash characters: the 2nd char of group 4 is the 1st of group 5's source.
            let groups = uuid.split(separator: "-")
            #expect(groups[3].utf8.dropFirst(3).first == groups[4].utf8.first)
            seen.insert(uuid)
        }
        #expect(seen.count == 500)
    }
}
