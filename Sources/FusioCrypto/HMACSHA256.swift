import COpenSSL
import Synchronization

/// HMAC-SHA256 (RFC 2104) on OpenSSL's SHA-256 block functions. The SHA-256 states after the key's inner and
/// outer pad blocks depend on the key only: they are computed once for the last key used (the project key, in
/// practice) and copied for each message, so a JWT costs its own blocks plus one, with no EVP context (OpenSSL 3's
/// one-shot `HMAC()` re-fetched the digest on every call, ≈9 µs per token).
public enum HMACSHA256 {
    public static let outputLength = 32
    private static let blockLength = 64

    private struct KeyedStates {
        var key: [UInt8]
        var inner: SHA256_CTX
        var outer: SHA256_CTX
    }

    private static let lastKey = Mutex<KeyedStates?>(nil)

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
        var (inner, outer) = states(for: key)
        defer {
            OPENSSL_cleanse(&inner, MemoryLayout<SHA256_CTX>.size)
            OPENSSL_cleanse(&outer, MemoryLayout<SHA256_CTX>.size)
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: outputLength) { innerDigest in
            guard SHA256_Update(&inner, message.baseAddress, message.count) == 1,
                  SHA256_Final(innerDigest.baseAddress, &inner) == 1,
                  SHA256_Update(&outer, innerDigest.baseAddress, outputLength) == 1,
                  SHA256_Final(output, &outer) == 1
            else { fatalError("OpenSSL SHA-256 failed") }
        }
    }

    private static func states(for key: UnsafeBufferPointer<UInt8>) -> (SHA256_CTX, SHA256_CTX) {
        if let known = lastKey.withLock({ cached -> (SHA256_CTX, SHA256_CTX)? in
            guard let cached, cached.key.elementsEqual(key) else { return nil }
            return (cached.inner, cached.outer)
        }) {
            return known
        }
        let made = keyedStates(key)
        lastKey.withLock { $0 = KeyedStates(key: Array(key), inner: made.0, outer: made.1) }
        return made
    }

    private static func keyedStates(_ key: UnsafeBufferPointer<UInt8>) -> (SHA256_CTX, SHA256_CTX) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockLength * 2) { scratch in
            let pad = scratch.baseAddress!
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
            var inner = SHA256_CTX(), outer = SHA256_CTX()
            guard SHA256_Init(&inner) == 1, SHA256_Update(&inner, pad, blockLength) == 1,
                  SHA256_Init(&outer) == 1, SHA256_Update(&outer, pad + blockLength, blockLength) == 1
            else { fatalError("OpenSSL SHA-256 failed") }
            return (inner, outer)
        }
    }
}
