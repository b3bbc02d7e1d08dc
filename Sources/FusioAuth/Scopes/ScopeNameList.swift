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
        // One tight scan of the fingerprints per requested name (a request names one or a few); the names here
        // are distinct, so each requested name matches at most one position.
        var positions: [Int] = []
        fingerprints.withUnsafeBufferPointer { prints in
            for name in requested {
                let wanted = Self.fingerprint(name)
                for index in 0..<prints.count where prints[index] == wanted && ScopeBytes.same(name, names[index]) {
                    positions.append(index)
                    break
                }
            }
        }
        if positions.count > 1 {
            positions.sort()
            var previous = -1
            positions.removeAll { position in
                defer { previous = position }
                return position == previous
            }
        }
        return positions.map { names[$0] }
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
