import COpenSSL

public enum HMACSHA256 {
    public static let outputLength = 32

    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        ContiguousBytes.with(key) { keyBuffer in
            ContiguousBytes.with(message) { messageBuffer in
                [UInt8](unsafeUninitializedCapacity: outputLength) { output, initialized in
                    var length: UInt32 = 0
                    // HMAC only fails on allocation failure or a broken provider; there is no safe way to
                    // continue issuing or checking tokens then.
                    guard HMAC(
                        EVP_sha256(),
                        keyBuffer.baseAddress, Int32(keyBuffer.count),
                        messageBuffer.baseAddress, messageBuffer.count,
                        output.baseAddress, &length
                    ) != nil, Int(length) == outputLength else {
                        fatalError("OpenSSL HMAC-SHA256 failed")
                    }
                    initialized = outputLength
                }
            }
        }
    }
}
