/// An app's or user's scope names with a one-word fingerprint of each, built once where `AvailableScopes` is
/// (and cached with it). Resolving a token's scopes looks for the few requested names in this list; an
/// Administrator has ~100 names, and comparing each by its bytes cost ~65 instructions a name, two lists a token.
/// Comparing fingerprints costs a few; only equal fingerprints are compared by bytes, so the result is exact.
struct ScopeNameList: Sendable {
    let names: [String]
    private let fingerprints: [UInt64]

    init(_ names: [String]) {
        self.names = names
        fingerprints = names.map { Self.fingerprint($0) }
    }

    /// The names whose bytes equal one of `requested`, each once, in this list's order.
    func exactMatches(of requested: [String]) -> [String] {
        let wanted = requested.map { Self.fingerprint($0) }
        var result: [String] = []
        for (index, fingerprint) in fingerprints.enumerated() {
            for (position, candidate) in wanted.enumerated()
            where candidate == fingerprint && ScopeBytes.same(requested[position], names[index]) {
                result.append(names[index])
                break
            }
        }
        return result
    }

    /// The length and the first and last (up to) eight bytes mixed into one word: scope names that differ
    /// mostly differ there (`backend.account` / `backend.action` in length and tail).
    static func fingerprint(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            let count = bytes.count
            var head: UInt64 = 0, tail: UInt64 = 0
            if count >= 8 {
                let raw = UnsafeRawPointer(bytes.baseAddress!)
                head = raw.loadUnaligned(as: UInt64.self)
                tail = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            } else {
                for byte in bytes { head = head << 8 | UInt64(byte) }
            }
            return head ^ (tail << 29 | tail >> 35) ^ UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        }
    }
}
