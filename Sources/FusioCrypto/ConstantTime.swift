import COpenSSL

public enum ConstantTime {
    /// Time depends only on the lengths, never on where the inputs differ.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        ContiguousBytes.with(a) { left in ContiguousBytes.with(b) { right in equals(left, right) } }
    }

    /// The UTF-8 bytes of two strings, in place: the generic entry point above is not specialised across modules,
    /// and reached a string's storage through the standard library's dynamic dispatch (~1 k instructions).
    public static func equals(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { left in b.withUTF8 { right in equals(left, right) } }
    }

    private static func equals(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        guard let leftBase = left.baseAddress, let rightBase = right.baseAddress, !left.isEmpty else { return true }
        return CRYPTO_memcmp(leftBase, rightBase, left.count) == 0
    }
}
