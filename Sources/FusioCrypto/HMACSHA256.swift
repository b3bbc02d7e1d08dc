import COpenSSL
import Glibc

/// HMAC-SHA256 through OpenSSL 3's EVP_MAC. Setting up a context costs far more than a JWT's few blocks (the
/// one-shot `HMAC()` re-fetches the digest on every call, ≈9 µs per token), so each thread keeps one context
/// keyed with the last key it used (the project key, in practice) and only re-initialises it per message:
/// `EVP_MAC_init` with a NULL key restores the keyed inner state (OpenSSL ≥ 3.0.3; 3.0.0–3.0.2 silently kept
/// the finished state, openssl/openssl#17811, so there the key is passed again every time).
public enum HMACSHA256 {
    public static let outputLength = 32

    /// The HMAC implementation, fetched once per process; fetched algorithms are immutable and shareable.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("OpenSSL default provider lacks HMAC") }
        return algorithm
    }()

    /// Whether `EVP_MAC_init(ctx, NULL, 0, NULL)` re-initialises with the previous key (openssl/openssl#18100).
    private static let reinitKeepsKey = OpenSSL_version_num() >= 0x3000_0030

    private static let contexts = ThreadLocal { KeyedContext() }

    /// A thread's context and a copy of the key it is initialised with, to recognise that key next time.
    private final class KeyedContext {
        let context: OpaquePointer
        /// Nil until the first message: a fresh context has no key to keep.
        private var key: UnsafeMutableBufferPointer<UInt8>?

        init() {
            guard let context = EVP_MAC_CTX_new(HMACSHA256.algorithm) else { fatalError("EVP_MAC_CTX_new failed") }
            // Both C strings must outlive EVP_MAC_CTX_set_params: a Swift String passed straight to
            // OSSL_PARAM_construct_utf8_string is a temporary that is freed when that call returns, and the
            // OSSL_PARAM would keep its dangling name (AddressSanitizer caught exactly that in FuzzJWT).
            let digestSet = OSSL_MAC_PARAM_DIGEST.withCString { parameterName in
                "SHA256".withCString { digestName in
                    withUnsafeTemporaryAllocation(of: OSSL_PARAM.self, capacity: 2) { params in
                        params[0] = OSSL_PARAM_construct_utf8_string(parameterName, UnsafeMutablePointer(mutating: digestName), 0)
                        params[1] = OSSL_PARAM_construct_end()
                        return EVP_MAC_CTX_set_params(context, params.baseAddress)
                    }
                }
            }
            guard digestSet == 1 else { fatalError("OpenSSL HMAC lacks SHA256") }
            self.context = context
        }

        deinit {
            forgetKey()
            EVP_MAC_CTX_free(context)
        }

        /// Readies the context for a new message under `newKey`, re-keying it only when the key changed.
        func start(with newKey: UnsafeBufferPointer<UInt8>) {
            if let key, key.elementsEqual(newKey) {
                if HMACSHA256.reinitKeepsKey {
                    guard EVP_MAC_init(context, nil, 0, nil) == 1 else { fatalError("OpenSSL EVP_MAC_init failed") }
                    return
                }
            } else {
                forgetKey()
                // At least one byte, so that even an empty key has a non-NULL address (NULL means "keep the key").
                let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(newKey.count, 1))
                copy.baseAddress!.initialize(from: newKey.baseAddress!, count: newKey.count)
                key = UnsafeMutableBufferPointer(rebasing: copy[..<newKey.count])
            }
            guard let key, EVP_MAC_init(context, key.baseAddress, key.count, nil) == 1 else {
                fatalError("OpenSSL EVP_MAC_init failed")
            }
        }

        private func forgetKey() {
            guard let key else { return }
            OPENSSL_cleanse(key.baseAddress, key.count)
            key.deallocate()
            self.key = nil
        }
    }

    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        ContiguousBytes.with(key) { keyBuffer in
            ContiguousBytes.with(message) { messageBuffer in
                [UInt8](unsafeUninitializedCapacity: outputLength) { output, initialized in
                    let keyed = contexts.value
                    keyed.start(with: keyBuffer)
                    var written = 0
                    // Only an allocation or provider failure makes these fail; nothing sensible can follow.
                    guard EVP_MAC_update(keyed.context, messageBuffer.baseAddress, messageBuffer.count) == 1,
                          EVP_MAC_final(keyed.context, output.baseAddress, &written, outputLength) == 1,
                          written == outputLength
                    else { fatalError("OpenSSL HMAC failed") }
                    initialized = outputLength
                }
            }
        }
    }
}
