/// Fusio's scope resolution (impl `Service\Scope::getValidScopes`), reproduced exactly because the resulting
/// comma-joined string is what ends up in the token row and the JWT that PHP also reads.
public enum ScopeResolver {
    /// The requested names that both the app and the user have, in the order of the user's list (or the app's
    /// when there is no user). Plan scopes count on both sides here, unlike in `defaultScopeString`. A missing
    /// app or user skips that filter, as PHP does for a null id.
    public static func validScopes(requested: String, app: AvailableScopes?, user: AvailableScopes?) -> [String] {
        var names = ScopeList.split(requested)
        if let app {
            names = kept(app.indexedNamesWithPlan, whereIn: names)
        }
        if let user {
            names = kept(user.indexedNamesWithPlan, whereIn: names)
        }
        return names
    }

    /// What Fusio substitutes for an empty `scope`: the user's own scopes, without plan scopes.
    public static func defaultScopeString(user: AvailableScopes) -> String {
        ScopeList.join(user.names(includingPlan: false))
    }

    /// PHP filters with a non-strict `in_array`, so two numeric strings match when their numbers are equal
    /// (`"10"` matches `"1e1"` and `" 010"`). Only names that look like numbers are affected; any other pair
    /// matches only when the bytes are identical.
    private static func kept(_ available: ScopeNameList, whereIn requested: [String]) -> [String] {
        // Scope names are almost never numeric: parse numbers only when some requested name could be one.
        let numbers = requested.compactMap { PHPNumber(parsing: $0) }
        // A request names a handful of scopes: fingerprints beat hashing every available name.
        if numbers.isEmpty && requested.count <= 8 { return available.exactMatches(of: requested) }
        let exact = requested.count > 8 ? Set(requested.map(ScopeBytes.init)) : nil
        return available.names.filter { name in
            if let exact {
                if exact.contains(ScopeBytes(name)) { return true }
            } else if requested.contains(where: { ScopeBytes.same($0, name) }) {
                return true
            }
            guard !numbers.isEmpty, let number = PHPNumber(parsing: name) else { return false }
            return numbers.contains { number.looselyEquals($0) }
        }
    }
}

/// A PHP 8 numeric string as `is_numeric_string_ex` classifies it, with the comparison of
/// `zendi_smart_str_equals`. Only used when the bytes differ, so "fall back to string comparison" means false.
private struct PHPNumber {
    enum Value {
        case integer(Int64)
        case double(Double)
    }

    var value: Value
    /// Sign of an integer string that does not fit in 64 bits, 0 otherwise.
    var overflow: Int

    /// Looks at the first non-blank byte before copying anything: most scope names start with a letter.
    init?(parsing name: String) {
        guard let first = name.utf8.first(where: { !Self.isWhitespace($0) }), first <= UInt8(ascii: "9") else {
            return nil
        }
        self.init(parsing: Array(name.utf8))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    init?(parsing bytes: [UInt8]) {
        func isWhitespace(_ byte: UInt8) -> Bool { Self.isWhitespace(byte) }
        var start = 0
        while start < bytes.count, isWhitespace(bytes[start]) { start += 1 }
        var end = bytes.count
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        // Most scope names start with a letter: no number, and nothing to allocate.
        guard start < end, bytes[start] <= UInt8(ascii: "9") else { return nil }
        let core = Array(bytes[start..<end])

        func isDigit(_ index: Int) -> Bool {
            index < core.count && core[index] >= UInt8(ascii: "0") && core[index] <= UInt8(ascii: "9")
        }

        var index = 0
        let negative = core.first == UInt8(ascii: "-")
        if negative || core.first == UInt8(ascii: "+") { index += 1 }
        let signEnd = index
        while index < core.count, core[index] == UInt8(ascii: "0") { index += 1 }
        let significantStart = index
        while isDigit(index) { index += 1 }
        let integerDigits = index - significantStart
        let hadIntegerPart = index > signEnd

        var isDouble = false
        if index < core.count, core[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while isDigit(index) { index += 1 }
            guard hadIntegerPart || index > fractionStart else { return nil }
            isDouble = true
        } else if !hadIntegerPart {
            return nil
        }
        if index < core.count, core[index] | 0x20 == UInt8(ascii: "e") {
            var probe = index + 1
            if probe < core.count, core[probe] == UInt8(ascii: "+") || core[probe] == UInt8(ascii: "-") {
                probe += 1
            }
            guard isDigit(probe) else { return nil }
            index = probe
            while isDigit(index) { index += 1 }
            isDouble = true
        }
        guard index == core.count else { return nil }

        let text = String(decoding: core, as: UTF8.self)
        // PHP gives up on integers at 20 significant digits and flags the overflow even for decimals.
        overflow = integerDigits >= 20 ? (negative ? -1 : 1) : 0
        if !isDouble, overflow == 0 {
            var magnitude: UInt64 = 0
            for byte in core[significantStart..<index] {
                magnitude = magnitude * 10 + UInt64(byte - UInt8(ascii: "0"))
            }
            let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
            if magnitude <= limit {
                value = .integer(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
                return
            }
            overflow = negative ? -1 : 1
        }
        guard let double = Double(text) else { return nil }
        value = .double(double)
    }

    func looselyEquals(_ other: PHPNumber) -> Bool {
        switch (value, other.value) {
        case let (.integer(a), .integer(b)):
            return a == b
        case let (.double(a), .double(b)):
            // Same-side overflow, or two infinities: PHP compares the strings, which differ here.
            if overflow != 0, overflow == other.overflow, a - b == 0 { return false }
            if a == b, !a.isFinite { return false }
            return a == b
        case let (.integer(a), .double(b)):
            return other.overflow == 0 && Double(a) == b
        case let (.double(a), .integer(b)):
            return overflow == 0 && a == Double(b)
        }
    }
}

/// A name compared by its UTF-8 bytes, as PHP compares strings; Swift's `==` would merge canonically
/// equivalent spellings.
struct ScopeBytes: Hashable {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    static func == (lhs: ScopeBytes, rhs: ScopeBytes) -> Bool {
        same(lhs.name, rhs.name)
    }

    /// Byte equality over the strings' contiguous UTF-8, length first (the generic `elementsEqual` over two
    /// UTF-8 views walked them byte by byte, ~350 instructions per pair, for every scope of every token).
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in rhs.withUTF8 { right in equalBytes(left, right) } }
    }

    /// Eight bytes at a time: `elementsEqual` on two buffers cost ~500 instructions for a 13-byte name.
    private static func equalBytes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = left.count
        guard count > 0 else { return true }
        let leftBase = UnsafeRawPointer(left.baseAddress!), rightBase = UnsafeRawPointer(right.baseAddress!)
        var index = 0
        while index + 8 <= count {
            if leftBase.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != rightBase.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        while index < count {
            if left[index] != right[index] { return false }
            index += 1
        }
        return true
    }

    func hash(into hasher: inout Hasher) {
        var name = name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
