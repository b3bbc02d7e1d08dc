import COpenSSL

/// Only for Fusio's identifier layouts (`sub`, app keys); never used as a security primitive.
public enum SHA1 {
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        MessageDigest.digest(data, algorithm: DigestAlgorithm.sha1, length: 20)
    }
}
