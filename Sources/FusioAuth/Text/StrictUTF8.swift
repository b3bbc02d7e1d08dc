/// Bytes as a string only if they are valid UTF-8 (no U+FFFD repairs): credentials and form values are compared
/// with columns that hold UTF-8 only. The standard library's `String(validating:as:)` is not inlinable, so each
/// call went through its generic path (~1 k instructions); ASCII, which nearly every value is, is checked here.
public enum StrictUTF8 {
    public static func string(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { string($0) }
    }

    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
