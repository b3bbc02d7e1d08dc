public enum Hex {
    static let digits: StaticString = "0123456789abcdef"

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        // Working on a concrete buffer keeps the loop specialised even though callers are in other modules.
        ContiguousBytes.with(bytes) { input in
            String(unsafeUninitializedCapacity: input.count * 2) { output in
                digits.withUTF8Buffer { table in
                    for (index, byte) in input.enumerated() {
                        output[index * 2] = table[Int(byte >> 4)]
                        output[index * 2 + 1] = table[Int(byte & 0x0F)]
                    }
                }
                return input.count * 2
            }
        }
    }
}
