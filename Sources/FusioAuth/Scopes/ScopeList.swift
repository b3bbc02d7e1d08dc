/// Fusio's scope-string format (impl `Service\Scope::split`). The quirks are kept because the stored scope string
/// of a token or authorization code has to mean the same to PHP and to this service.
public enum ScopeList {
    /// Splits on `,` when the string has one, otherwise on single spaces. Nothing is trimmed and empty items stay,
    /// so `"a, b"` yields `" b"`, which never matches a scope.
    ///
    /// Works on UTF-8 bytes like PHP's `explode`: splitting on `Character` would miss a `,` that a following
    /// combining mark turns into a different grapheme.
    public static func split(_ s: String) -> [String] {
        // Over the contiguous bytes: the generic `split` on the UTF-8 view cost ~2.5 k instructions a token.
        var s = s
        return s.withUTF8 { bytes in
            let comma = UInt8(ascii: ",")
            let separator = bytes.contains(comma) ? comma : UInt8(ascii: " ")
            var names: [String] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == separator {
                names.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                start = index + 1
            }
            return names
        }
    }

    /// Copies the bytes into one string of the final size: `joined(separator:)` ran through the standard library's
    /// unspecialised generic code (~1.5 k instructions for one name), twice per token.
    public static func join(_ names: [String]) -> String {
        if names.count == 1 { return names[0] }
        var length = max(names.count - 1, 0)
        for name in names { length += name.utf8.count }
        return String(unsafeUninitializedCapacity: length) { output in
            var position = 0
            for (index, name) in names.enumerated() {
                if index > 0 {
                    output[position] = UInt8(ascii: ",")
                    position += 1
                }
                var name = name
                name.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                    (output.baseAddress! + position).update(from: base, count: bytes.count)
                    position += bytes.count
                }
            }
            return position
        }
    }
}
