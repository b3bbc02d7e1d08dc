import Foundation
import FusioAuth
import FusioCrypto
import Synchronization
import Testing

@Suite struct CryptoTests {
    private func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return result
    }

    @Test func hmacSHA256MatchesRFC4231() {
        // RFC 4231 test case 1
        #expect(Hex.encode(HMACSHA256.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0B, count: 20)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 2: key shorter than the block
        #expect(Hex.encode(HMACSHA256.authenticate("what do ya want for nothing?".utf8, key: "Jefe".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: key longer than the block (hashed first)
        #expect(Hex.encode(HMACSHA256.authenticate(
            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            key: [UInt8](repeating: 0xAA, count: 131)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The keyed SHA-256 states are kept for the last key: alternating keys (one a prefix of the other) must
    /// each get their own.
    @Test func hmacFollowsAChangingKey() {
        let message = Array("what do ya want for nothing?".utf8)
        for _ in 0..<3 {
            #expect(Hex.encode(HMACSHA256.authenticate(message, key: "Jefe".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
            #expect(HMACSHA256.authenticate(message, key: "Jefe!".utf8) != HMACSHA256.authenticate(message, key: "Jefe".utf8))
            #expect(Hex.encode(HMACSHA256.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0B, count: 20)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        }
    }

    /// Each thread keeps its own keyed context: two threads alternating their keys (one a prefix of the other)
    /// over many calls each get their own key's MAC, and re-keying one thread never disturbs the other.
    @Test func hmacKeysStayPerThread() {
        let message = Array("what do ya want for nothing?".utf8)
        let expected: [[UInt8]: String] = [
            Array("Jefe".utf8): "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            [UInt8](repeating: 0x0B, count: 20): Hex.encode(HMACSHA256.authenticate(
                message, key: [UInt8](repeating: 0x0B, count: 20))),
            Array("Jefe!".utf8): Hex.encode(HMACSHA256.authenticate(message, key: Array("Jefe!".utf8))),
        ]
        // Threads, not tasks: the contexts are per thread, and tasks could share one. Each thread alternates its
        // own two keys; both start together and run side by side.
        let failures = Mutex([0, 0])
        let start = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let keysPerThread = [[Array("Jefe".utf8), Array("Jefe!".utf8)],
                             [[UInt8](repeating: 0x0B, count: 20), Array("Jefe".utf8)]]
        for (thread, keys) in keysPerThread.enumerated() {
            Thread {
                start.wait()
                var wrong = 0
                for index in 0..<5_000 {
                    let key = keys[index % 3 == 0 ? 1 : 0]
                    if Hex.encode(HMACSHA256.authenticate(message, key: key)) != expected[key] { wrong += 1 }
                }
                failures.withLock { $0[thread] = wrong }
                done.signal()
            }.start()
        }
        start.signal()
        start.signal()
        done.wait()
        done.wait()
        #expect(failures.withLock { $0 } == [0, 0])
    }

    @Test func hmacAcceptsEmptyInputsAndSlices() {
        // Known value: HMAC-SHA256 with empty key and empty message.
        #expect(Hex.encode(HMACSHA256.authenticate([UInt8](), key: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        let padded = Array("xxHi Therexx".utf8)
        #expect(HMACSHA256.authenticate(padded[2..<10], key: [UInt8](repeating: 0x0B, count: 20))
            == HMACSHA256.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0B, count: 20)))
    }

    @Test func digests() {
        #expect(Hex.encode(SHA1.hash("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Hex.encode(SHA256.hash("abc".utf8))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA1.hash("http://127.0.0.1-2".utf8)) == "2a11f99513061494aa51c74d882e07c7a8b1e1bb")
    }

    @Test func secureRandom() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(33).count == 33)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        for length in [0, 1, 15, 16, 31, 64] {
            let text = SecureRandom.hex(length)
            #expect(text.utf8.count == length)
            #expect(text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
        }
    }

    /// Small draws come from a per-thread reserve refilled every 4 KiB: draws across several refills, and large
    /// ones that bypass it, never repeat.
    @Test func secureRandomFromTheReserveNeverRepeats() {
        var seen = Set<[UInt8]>()
        for index in 0..<1_000 {
            #expect(seen.insert(SecureRandom.bytes(index % 7 == 0 ? 600 : 16)).inserted)
        }
    }

    @Test func secureRandomGroupsFromOneDraw() {
        let groups = SecureRandom.hex(groups: [20, 48, 10, 0, 1])
        #expect(groups.map(\.utf8.count) == [20, 48, 10, 0, 1])
        #expect(groups.allSatisfy { $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        // Each group comes from its own bytes: two equal-length groups repeating would mean overlapping slices.
        let pair = SecureRandom.hex(groups: [32, 32])
        #expect(pair[0] != pair[1])
        #expect(TokenGenerator.refreshToken().split(separator: "-").map(\.count) == [20, 48, 10])
    }

    @Test func secureRandomJoinedGroups() {
        let joined = SecureRandom.hex(groups: [20, 48, 10, 0, 1, 3], separator: UInt8(ascii: "-"))
        let parts = joined.split(separator: "-", omittingEmptySubsequences: false)
        #expect(parts.map(\.count) == [20, 48, 10, 0, 1, 3])
        #expect(parts.allSatisfy { $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        #expect(SecureRandom.hex(groups: [], separator: UInt8(ascii: "-")).isEmpty)
        #expect(SecureRandom.hex(groups: [32, 32], separator: UInt8(ascii: ":")).split(separator: ":").count == 2)
        let pair = SecureRandom.hex(groups: [32, 32], separator: UInt8(ascii: ":")).split(separator: ":")
        #expect(pair[0] != pair[1])
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals("abc".utf8, [97, 98, 99] as [UInt8]))
        #expect(!ConstantTime.equals("abc".utf8, "abd".utf8))
        #expect(!ConstantTime.equals("abc".utf8, "abcd".utf8))
        #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
    }

    @Test func constantTimeEqualsComparesStringsByBytes() {
        #expect(ConstantTime.equals("s3cret", "s3cret"))
        #expect(ConstantTime.equals("", ""))
        #expect(!ConstantTime.equals("s3cret", "s3creT"))
        #expect(!ConstantTime.equals("s3cret", "s3cret "))
        #expect(!ConstantTime.equals("", "x"))
        // Canonically equivalent, different bytes: Swift's `==` would call them equal.
        #expect(!ConstantTime.equals("caf\u{E9}", "cafe\u{301}"))
        let long = String(repeating: "0123456789abcdef", count: 8)
        #expect(ConstantTime.equals(long, String(long.reversed().reversed())))
    }

    @Test func hexIsLowercase() {
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(bytes(hex: Hex.encode([1, 2, 254])) == [1, 2, 254])
    }
}
