@testable import FastCGI
import Testing

@Suite struct FastCGINameValuePairsTests {
    /// The pairs of `block` as byte arrays, or nil if `parse` calls it malformed.
    private func parse(_ block: [UInt8]) -> [([UInt8], [UInt8])]? {
        var pairs: [([UInt8], [UInt8])] = []
        let wellFormed = block.withUnsafeBytes { raw in
            FastCGINameValuePairs.parse(raw) { pairs.append((Array(raw[$0]), Array(raw[$1]))) }
        }
        return wellFormed ? pairs : nil
    }

    private func encode(_ pairs: [([UInt8], [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in pairs { FastCGINameValuePairs.append(name: name, value: value, to: &out) }
        return out
    }

    @Test func oneByteLengths() throws {
        let block: [UInt8] = [3, 5] + Array("abchello".utf8) + [0, 0] + [1, 0, UInt8(ascii: "x")]
        let pairs = try #require(parse(block))
        #expect(pairs.map { $0.0 } == [Array("abc".utf8), [], Array("x".utf8)])
        #expect(pairs.map { $0.1 } == [Array("hello".utf8), [], []])
        #expect(encode(pairs) == block)
    }

    @Test func emptyBlockHasNoPairs() {
        #expect(parse([])?.isEmpty == true)
    }

    /// 127 still fits one byte; 128 and more take four, big-endian with the top bit set.
    @Test(arguments: [
        (127, 128, [127, 0x80, 0, 0, 128]), (128, 3, [0x80, 0, 0, 128, 3]), (3, 128, [3, 0x80, 0, 0, 128]),
        (300, 70_000, [0x80, 0, 0x01, 0x2c, 0x80, 0x01, 0x11, 0x70]),
    ] as [(Int, Int, [UInt8])])
    func lengthForms(nameLength: Int, valueLength: Int, lengths: [UInt8]) throws {
        let name = [UInt8](repeating: UInt8(ascii: "n"), count: nameLength)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueLength)
        let block = encode([(name, value)])
        #expect(block == lengths + name + value)
        let pairs = try #require(parse(block))
        #expect(pairs.count == 1)
        #expect(pairs.first?.0 == name)
        #expect(pairs.first?.1 == value)
    }

    @Test(arguments: [
        [3, 5] + Array("abchell".utf8),              // value one byte short
        [3, 5] + Array("ab".utf8),                   // name runs past the end
        [3],                                         // value length missing
        [0x80, 0, 0],                                // 4-byte name length truncated
        [1, 0x80, 0, 0, UInt8(ascii: "a")],          // 4-byte value length truncated
        [0xff, 0xff, 0xff, 0xff, 0],                 // name length near Int32.max
        [0, 0x80, 0, 1, 0, 0],                       // 4-byte value length (256) past the end
        [1, 1, UInt8(ascii: "a"), UInt8(ascii: "b"), 2], // a good pair, then a broken one
    ] as [[UInt8]])
    func rejectsMalformedBlocks(block: [UInt8]) {
        #expect(parse(block) == nil)
    }
}
