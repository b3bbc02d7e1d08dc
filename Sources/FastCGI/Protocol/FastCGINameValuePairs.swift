/// FastCGI name-value pairs (spec §3.4): each length is one byte below 128, else four bytes with the top bit set.
enum FastCGINameValuePairs {
    /// Calls `body` with the byte ranges of each pair inside `bytes`; false if the block is malformed (a length
    /// running past the end). Nothing is copied.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ body: (_ name: Range<Int>, _ value: Range<Int>) -> Void) -> Bool {
        var index = 0
        let end = bytes.count
        func length() -> Int? {
            guard index < end else { return nil }
            let first = bytes[index]
            if first & 0x80 == 0 {
                index += 1
                return Int(first)
            }
            guard end - index >= 4 else { return nil }
            let value = Int(first & 0x7f) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            index += 4
            return value
        }
        while index < end {
            guard let nameLength = length(), let valueLength = length() else { return false }
            guard nameLength <= end - index, valueLength <= end - index - nameLength else { return false }
            let name = index..<(index + nameLength)
            let value = name.upperBound..<(name.upperBound + valueLength)
            index = value.upperBound
            body(name, value)
        }
        return true
    }

    static func append(name: some Collection<UInt8>, value: some Collection<UInt8>, to out: inout [UInt8]) {
        appendLength(name.count, to: &out)
        appendLength(value.count, to: &out)
        out.append(contentsOf: name)
        out.append(contentsOf: value)
    }

    private static func appendLength(_ length: Int, to out: inout [UInt8]) {
        if length < 128 {
            out.append(UInt8(length))
        } else {
            out.append(UInt8((length >> 24) & 0x7f) | 0x80)
            out.append(UInt8((length >> 16) & 0xff))
            out.append(UInt8((length >> 8) & 0xff))
            out.append(UInt8(length & 0xff))
        }
    }
}
