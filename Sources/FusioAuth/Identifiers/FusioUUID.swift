import FusioCrypto

public enum FusioUUID {
    /// psx-fw `Uuid::pseudoRandom()`, the format of `fusio_app.app_key`: the Fusio UUID layout over
    /// SHA-1 of 128 random bytes with version nibble 4.
    public static func pseudoRandom() -> String {
        FusioUUIDLayout.format(sha1: SHA1.hash(SecureRandom.bytes(128)), version: 4)
    }
}
