import COpenSSL
import Glibc
import Synchronization

/// Per-thread reserve of OpenSSL random bytes. Every `RAND_bytes` call has a fixed cost — a `getpid` system call
/// (OpenSSL's fork check), the DRBG lookup and locking — that dwarfs the ~55 bytes a token needs (jti and refresh
/// token); drawing 4 KiB at a time pays it once per ~70 tokens. Bytes handed out are wiped from the reserve.
/// A fork would copy the reserve into the child, so a fork handler makes every reserve in the child stale.
enum RandomPool {
    static let size = 4096

    private final class Reserve {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: RandomPool.size)
        var offset = RandomPool.size
        var generation = RandomPool.generation.load(ordering: .relaxed)

        deinit {
            OPENSSL_cleanse(bytes, RandomPool.size)
            bytes.deallocate()
        }
    }

    /// Bumped in a forked child: reserves of an older generation are discarded unread.
    private static let generation = Atomic<Int>(0)

    private static let reserves: ThreadLocal<Reserve> = {
        pthread_atfork(nil, nil) { RandomPool.generation.add(1, ordering: .relaxed) }
        return ThreadLocal { Reserve() }
    }()

    /// Fills `count` bytes at `output`; larger requests go to OpenSSL directly.
    static func fill(_ output: UnsafeMutablePointer<UInt8>, count: Int) {
        guard count <= size / 8 else { return draw(output, count: count) }
        let reserve = reserves.value
        let generation = generation.load(ordering: .relaxed)
        if reserve.offset + count > size || reserve.generation != generation {
            draw(reserve.bytes, count: size)
            reserve.offset = 0
            reserve.generation = generation
        }
        output.update(from: reserve.bytes + reserve.offset, count: count)
        OPENSSL_cleanse(reserve.bytes + reserve.offset, count)
        reserve.offset += count
    }

    private static func draw(_ output: UnsafeMutablePointer<UInt8>, count: Int) {
        // Handing out predictable secrets would be worse than stopping the process.
        guard RAND_bytes(output, Int32(count)) == 1 else { fatalError("OpenSSL RAND_bytes failed: CSPRNG unavailable") }
    }
}
