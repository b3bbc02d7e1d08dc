import Glibc

/// Byte comparisons for FastCGI parameter names, by length and `memcmp`. The generic `elementsEqual` and
/// `starts(with:)` over buffers walk byte by byte through unspecialised code: matching the ~25 parameters nginx
/// sends against a few names that way cost about 45 k instructions per request.
public enum ParameterBytes {
    @inlinable @inline(__always)
    public static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount && (bytes.count == 0 || memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0)
    }

    @inlinable @inline(__always)
    public static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        bytes.count >= prefix.utf8CodeUnitCount
            && (prefix.utf8CodeUnitCount == 0 || memcmp(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0)
    }
}
