/// Gives C functions a pointer to any byte collection without copying when the collection is already
/// contiguous (Array, ArraySlice, String.UTF8View of a native string, UnsafeBufferPointer).
enum ContiguousBytes {
    /// The buffer handed to `body` always has a non-nil base address, even when empty, because several
    /// OpenSSL entry points treat a NULL pointer differently from a zero-length one.
    @inline(__always)
    static func with<R>(
        _ bytes: some Collection<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let direct: R?? = bytes.withContiguousStorageIfAvailable { buffer -> R? in
            guard buffer.baseAddress != nil else { return nil }
            return body(buffer)
        }
        if let direct, let result = direct { return result }
        if bytes.isEmpty {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { scratch in
                body(UnsafeBufferPointer(start: scratch.baseAddress, count: 0))
            }
        }
        return Array(bytes).withUnsafeBufferPointer(body)
    }
}
