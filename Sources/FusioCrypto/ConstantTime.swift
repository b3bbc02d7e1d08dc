import COpenSSL

public enum ConstantTime {
    /// Time depends only on the lengths, never on where the inputs differ.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        ContiguousBytes.with(a) { left in
            ContiguousBytes.with(b) { right in
                guard left.count == right.count else { return false }
                if left.isEmpty { return true }
                return CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}
