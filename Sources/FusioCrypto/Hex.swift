public enum Hex {
    private static let digits: StaticString = "0123456789abcdef"

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count
        return String(unsafeUninitializedCapacity: count * 2) { output in
            digits.withUTF8Buffer { table in
                var index = 0
                for byte in bytes {
                    output[index] = table[Int(byte >> 4)]
                    output[index + 1] = table[Int(byte & 0x0F)]
                    index += 2
                }
            }
            return count * 2
        }
    }
}
