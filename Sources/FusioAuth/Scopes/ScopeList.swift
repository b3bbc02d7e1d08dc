/// Fusio's scope-string format (impl `Service\Scope::split`). The quirks are kept because the stored scope string
/// of a token or authorization code has to mean the same to PHP and to this service.
public enum ScopeList {
    /// Splits on `,` when the string has one, otherwise on single spaces. Nothing is trimmed and empty items stay,
    /// so `"a, b"` yields `" b"`, which never matches a scope.
    ///
    /// Works on UTF-8 bytes like PHP's `explode`: splitting on `Character` would miss a `,` that a following
    /// combining mark turns into a different grapheme.
    public static func split(_ s: String) -> [String] {
        let comma = UInt8(ascii: ",")
        let separator = s.utf8.contains(comma) ? comma : UInt8(ascii: " ")
        return s.utf8.split(separator: separator, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    public static func join(_ names: [String]) -> String {
        names.joined(separator: ",")
    }
}
