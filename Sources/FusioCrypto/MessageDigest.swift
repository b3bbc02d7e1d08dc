import COpenSSL

/// Shared one-shot EVP_Digest call behind `SHA1` and `SHA256`.
enum MessageDigest {
    static func digest(
        _ data: some Collection<UInt8>,
        algorithm: OpaquePointer?,
        length: Int
    ) -> [UInt8] {
        ContiguousBytes.with(data) { input in
            [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
                var written: UInt32 = 0
                // Only an allocation or provider failure makes EVP_Digest fail; nothing sensible can follow.
                guard EVP_Digest(input.baseAddress, input.count, output.baseAddress, &written, algorithm, nil) == 1,
                      Int(written) == length
                else {
                    fatalError("OpenSSL EVP_Digest failed")
                }
                initialized = length
            }
        }
    }
}
