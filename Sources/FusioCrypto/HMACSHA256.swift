import COpenSSL

/// HMAC-SHA256 (RFC 2104) over a pre-fetched SHA-256. OpenSSL 3's one-shot `HMAC()` goes through
/// `EVP_Q_mac`, which fetches the MAC and digest from the provider on every call and cost ≈9 µs per token;
/// this costs one digest context and four digest updates.
public enum HMACSHA256 {
    public static let outputLength = 32
    private static let blockLength = 64

    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        ContiguousBytes.with(key) { keyBuffer in
            ContiguousBytes.with(message) { messageBuffer in
                [UInt8](unsafeUninitializedCapacity: outputLength) { output, initialized in
                    authenticate(messageBuffer, key: keyBuffer, into: output.baseAddress!)
                    initialized = outputLength
                }
            }
        }
    }

    private static func authenticate(
        _ message: UnsafeBufferPointer<UInt8>,
        key: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutablePointer<UInt8>
    ) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockLength * 2 + outputLength) { scratch in
            let pad = scratch.baseAddress!
            let inner = pad + blockLength * 2
            defer { OPENSSL_cleanse(scratch.baseAddress, scratch.count) }
            // Keys longer than a block are replaced by their digest (RFC 2104 §2); shorter ones are zero-padded.
            pad.initialize(repeating: 0, count: blockLength)
            if key.count > blockLength {
                MessageDigest.digest(key, algorithm: DigestAlgorithm.sha256, length: outputLength, into: pad)
            } else if !key.isEmpty {
                pad.update(from: key.baseAddress!, count: key.count)
            }
            for index in 0..<blockLength {
                pad[blockLength + index] = pad[index] ^ 0x5C
                pad[index] ^= 0x36
            }
            // A context allocation can only fail when memory is exhausted; continuing would mean unsigned tokens.
            guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
            defer { EVP_MD_CTX_free(context) }
            var length: UInt32 = 0
            guard EVP_DigestInit_ex2(context, DigestAlgorithm.sha256, nil) == 1,
                  EVP_DigestUpdate(context, pad, blockLength) == 1,
                  EVP_DigestUpdate(context, message.baseAddress, message.count) == 1,
                  EVP_DigestFinal_ex(context, inner, &length) == 1,
                  EVP_DigestInit_ex2(context, DigestAlgorithm.sha256, nil) == 1,
                  EVP_DigestUpdate(context, pad + blockLength, blockLength) == 1,
                  EVP_DigestUpdate(context, inner, outputLength) == 1,
                  EVP_DigestFinal_ex(context, output, &length) == 1
            else {
                fatalError("OpenSSL SHA-256 failed")
            }
        }
    }
}
