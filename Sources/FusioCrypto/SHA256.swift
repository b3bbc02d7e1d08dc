import COpenSSL

public enum SHA256 {
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        MessageDigest.digest(data, algorithm: DigestAlgorithm.sha256, length: 32)
    }
}
