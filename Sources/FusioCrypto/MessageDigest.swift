import COpenSSL

/// Shared one-shot digest calls behind `SHA1`, `SHA256` and `HMACSHA256`.
enum MessageDigest {
    static func digest(
        _ data: some Collection<UInt8>,
        algorithm: OpaquePointer,
        length: Int
    ) -> [UInt8] {
        ContiguousBytes.with(data) { input in
            [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
                digest(input, algorithm: algorithm, length: length, into: output.baseAddress!)
                initialized = length
            }
        }
    }

    static func digest(
        _ input: UnsafeBufferPointer<UInt8>,
        algorithm: OpaquePointer,
        length: Int,
        into output: UnsafeMutablePointer<UInt8>
    ) {
        var written: UInt32 = 0
        // Only an allocation or provider failure makes EVP_Digest fail; nothing sensible can follow.
        guard EVP_Digest(input.baseAddress, input.count, output, &written, algorithm, nil) == 1,
              Int(written) == length
        else {
            fatalError("OpenSSL EVP_Digest failed")
        }
    }
}
