import CCrypt
import Glibc

/// bcrypt through libxcrypt's `crypt_rn`, compatible with PHP `password_hash`/`password_verify`.
///
/// One instance per thread: it owns the ~32 KiB `struct crypt_data` scratch area that `crypt_rn` needs,
/// so a request loop allocates it once instead of on every login. The area is wiped after every call
/// because libxcrypt keeps a copy of the passphrase in it.
///
/// Password bytes: PHP hands the password to crypt_blowfish as a C string, so everything from the first NUL
/// byte on is ignored, and bcrypt itself reads at most 72 bytes. Both rules are applied here before calling
/// libxcrypt; cutting at 72 also keeps long inputs under libxcrypt's 512-byte passphrase limit, which PHP
/// does not have.
public final class BCrypt {
    private static let scratchSize = MemoryLayout<crypt_data>.size
    private static let maximumKeyBytes = 72

    private let scratch: UnsafeMutableRawPointer

    public init() {
        scratch = UnsafeMutableRawPointer.allocate(
            byteCount: Self.scratchSize,
            alignment: MemoryLayout<crypt_data>.alignment
        )
        // libxcrypt requires the `initialized` member to be zero before first use.
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: Self.scratchSize)
    }

    deinit {
        explicit_bzero(scratch, Self.scratchSize)
        scratch.deallocate()
    }

    /// Like PHP `password_verify` for bcrypt hashes (`$2y$`, `$2a$`, `$2b$`, any cost libxcrypt accepts).
    /// Anything else — empty, `*0`, other algorithms, truncated hashes — is simply false.
    public func verify(password: some Collection<UInt8>, hash: String) -> Bool {
        guard Self.isBCryptHash(hash), let computed = crypt(password: password, setting: hash) else {
            return false
        }
        return ConstantTime.equals(computed, hash.utf8)
    }

    /// A new `$2y$` hash with 16 random salt bytes. `cost` must be 4...31.
    public func hash(password: some Collection<UInt8>, cost: Int = 12) -> String {
        precondition((4...31).contains(cost), "bcrypt cost must be between 4 and 31")
        let salt = SecureRandom.bytes(16)
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let generated = salt.withUnsafeBufferPointer { random in
            random.withMemoryRebound(to: CChar.self) { random in
                crypt_gensalt_rn("$2y$", UInt(cost), random.baseAddress, Int32(random.count), &setting, Int32(setting.count))
            }
        }
        // Both calls can only fail if libxcrypt was built without bcrypt, a deployment error.
        guard generated != nil else { fatalError("crypt_gensalt_rn does not support $2y$") }
        let settingString = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let result = crypt(password: password, setting: settingString) else {
            fatalError("crypt_rn failed for a freshly generated bcrypt setting")
        }
        return String(decoding: result, as: UTF8.self)
    }

    private func crypt(password: some Collection<UInt8>, setting: String) -> [UInt8]? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.maximumKeyBytes + 1) { key in
            var length = 0
            for byte in password {
                if byte == 0 || length == Self.maximumKeyBytes { break }
                key[length] = CChar(bitPattern: byte)
                length += 1
            }
            key[length] = 0
            defer {
                explicit_bzero(key.baseAddress!, key.count)
                explicit_bzero(scratch, Self.scratchSize)
            }
            return setting.withCString { settingPointer -> [UInt8]? in
                guard let output = crypt_rn(key.baseAddress, settingPointer, scratch, Int32(Self.scratchSize)) else {
                    return nil
                }
                return Array(UnsafeRawBufferPointer(start: output, count: strlen(output)))
            }
        }
    }

    /// `$2[aby]$NN$` followed by 53 characters of bcrypt's base64 alphabet: the only shape PHP's bcrypt
    /// verification can succeed on, checked up front so odd strings never reach libxcrypt.
    private static func isBCryptHash(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60,
              bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              bytes[2] == UInt8(ascii: "a") || bytes[2] == UInt8(ascii: "b") || bytes[2] == UInt8(ascii: "y"),
              bytes[3] == UInt8(ascii: "$"),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[4]),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[5]),
              bytes[6] == UInt8(ascii: "$")
        else { return false }
        return bytes[7...].allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "/"):
                return true
            default:
                return false
            }
        }
    }
}

/// The scratch area is reused without locking, so sharing one instance between threads would corrupt hashes.
@available(*, unavailable)
extension BCrypt: Sendable {}
