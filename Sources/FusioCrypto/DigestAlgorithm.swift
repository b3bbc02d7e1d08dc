import COpenSSL

/// Digest implementations fetched once per process. With OpenSSL 3 the legacy `EVP_sha256()` handles and the
/// one-shot `HMAC()` re-fetch the implementation from the provider on every call (measured ≈9 µs per HMAC);
/// a pre-fetched `EVP_MD` skips that. Fetched algorithms are immutable and safe to share between threads.
enum DigestAlgorithm {
    nonisolated(unsafe) static let sha1: OpaquePointer = fetch("SHA1")
    nonisolated(unsafe) static let sha256: OpaquePointer = fetch("SHA2-256")

    private static func fetch(_ name: String) -> OpaquePointer {
        // Without these digests the default provider is missing, and no token could be issued or checked.
        guard let algorithm = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL default provider lacks \(name)")
        }
        return algorithm
    }
}
