import FusioCrypto
import Testing

@Suite struct BCryptTests {
    /// From the reference §5.1: `password_hash('qf2vX10Ec3wFZHx0K1eL', PASSWORD_BCRYPT, ['cost'=>10])`.
    static let phpCost10 = "$2y$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4y"
    static let benchHash = "$2y$10$9s6vvzNnZXNLvVB.DFKdROXmRTvbgexatfj.ukCzHkpMvIsZP0v6S"
    /// Made once with PHP 8.2 cli:
    /// `php -r 'echo password_hash("fusio-cost-12", PASSWORD_BCRYPT, ["cost"=>12]);'`
    static let phpCost12 = "$2y$12$dK9phzK7eC5OK3JV7v1F9uNRw7jgjgdimjGi40mj.3T7bG5H2L5cq"

    @Test func verifiesPHPHashes() {
        let bcrypt = BCrypt()
        #expect(bcrypt.verify(password: "qf2vX10Ec3wFZHx0K1eL".utf8, hash: Self.phpCost10))
        #expect(!bcrypt.verify(password: "qf2vX10Ec3wFZHx0K1eM".utf8, hash: Self.phpCost10))
        #expect(bcrypt.verify(password: "bench-password".utf8, hash: Self.benchHash))
        #expect(!bcrypt.verify(password: "bench-passwor".utf8, hash: Self.benchHash))
        #expect(bcrypt.verify(password: "fusio-cost-12".utf8, hash: Self.phpCost12))
        #expect(!bcrypt.verify(password: "fusio-cost-13".utf8, hash: Self.phpCost12))
    }

    @Test(arguments: ["$2a$", "$2b$"])
    func acceptsOtherBcryptPrefixes(prefix: String) {
        let hash = prefix + String(Self.phpCost10.dropFirst(4))
        let bcrypt = BCrypt()
        #expect(bcrypt.verify(password: "qf2vX10Ec3wFZHx0K1eL".utf8, hash: hash))
        #expect(!bcrypt.verify(password: "qf2vX10Ec3wFZHx0K1eM".utf8, hash: hash))
    }

    @Test(arguments: [
        "", "*0", "*1", "NULL", "qf2vX10Ec3wFZHx0K1eL",
        "$2x$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4y",
        "$2y$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4",
        "$2y$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4yy",
        "$2y$03$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4y",
        "$2y$1a$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4y",
        "$2y$10$kzShn17/Gtwtjh8WkYxs0uwokSJ0I.cLipknifdIKBVpIng4eQP4\0",
        "$1$abcdefgh$",
        "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
    ])
    func rejectsAnythingButBcrypt(hash: String) {
        #expect(!BCrypt().verify(password: "qf2vX10Ec3wFZHx0K1eL".utf8, hash: hash))
    }

    @Test func hashRoundTrips() {
        let bcrypt = BCrypt()
        let hash = bcrypt.hash(password: "correct horse".utf8, cost: 4)
        #expect(hash.hasPrefix("$2y$04$"))
        #expect(hash.utf8.count == 60)
        #expect(bcrypt.verify(password: "correct horse".utf8, hash: hash))
        #expect(!bcrypt.verify(password: "correct horsE".utf8, hash: hash))
        #expect(bcrypt.hash(password: "correct horse".utf8, cost: 4) != hash)
        #expect(bcrypt.verify(password: [UInt8](), hash: bcrypt.hash(password: [UInt8](), cost: 4)))
    }

    @Test func defaultCostIsTwelve() {
        #expect(BCrypt().hash(password: "x".utf8).hasPrefix("$2y$12$"))
    }

    @Test func onlyTheFirst72BytesCount() {
        let bcrypt = BCrypt()
        let first72 = [UInt8]((0..<72).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        let hash = bcrypt.hash(password: first72, cost: 4)
        #expect(bcrypt.verify(password: first72 + Array("anything after".utf8), hash: hash))
        #expect(bcrypt.verify(password: first72 + [UInt8](repeating: 0x41, count: 600), hash: hash))
        #expect(!bcrypt.verify(password: first72.dropLast(), hash: hash))
    }

    @Test func bytesAfterTheFirstNULAreIgnoredLikePHP() {
        let bcrypt = BCrypt()
        let hash = bcrypt.hash(password: "abc".utf8, cost: 4)
        #expect(bcrypt.verify(password: Array("abc\u{0}def".utf8), hash: hash))
        #expect(!bcrypt.verify(password: Array("ab\u{0}c".utf8), hash: hash))
    }

    @Test func nonASCIIPasswords() {
        let bcrypt = BCrypt()
        for prefix in ["$2y$", "$2a$", "$2b$"] {
            let hash = prefix + String(bcrypt.hash(password: "pässwörd€".utf8, cost: 4).dropFirst(4))
            #expect(bcrypt.verify(password: "pässwörd€".utf8, hash: hash))
        }
    }
}
