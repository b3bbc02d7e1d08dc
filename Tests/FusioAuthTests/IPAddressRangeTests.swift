import FusioAuth
import Testing

@Suite struct IPAddressRangeTests {
    @Test func ipv4Blocks() throws {
        let loopback = try #require(IPAddressRange("127.0.0.0/8"))
        #expect(loopback.contains("127.0.0.1"))
        #expect(loopback.contains("127.255.1.2"))
        #expect(!loopback.contains("128.0.0.1"))
        #expect(loopback.contains("::ffff:127.0.0.1"))
        #expect(!loopback.contains("garbage"))
        let single = try #require(IPAddressRange("10.1.2.3"))
        #expect(single.contains("10.1.2.3"))
        #expect(!single.contains("10.1.2.4"))
    }

    @Test func ipv6Blocks() throws {
        let block = try #require(IPAddressRange("2001:db8::/32"))
        #expect(block.contains("2001:db8::1"))
        #expect(!block.contains("2001:db9::1"))
        #expect(!block.contains("127.0.0.1"))
    }

    @Test(arguments: ["", "300.1.1.1", "10.0.0.0/33", "::1/129", "1.2.3.4/x", "a/b"])
    func invalidRangesAreRefused(_ text: String) {
        #expect(IPAddressRange(text) == nil)
    }

    @Test func lists() {
        #expect(IPAddressRange.list("127.0.0.0/8, ::1")?.count == 2)
        #expect(IPAddressRange.list("127.0.0.0/8,nonsense") == nil)
    }
}
