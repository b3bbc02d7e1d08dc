/// The single-valued parameters of a token request, in the order sent, each name at most once (the HTTP layer
/// refuses duplicates). A request carries a handful, and a grant reads a few of them: a linear scan compares
/// names that mostly differ in length at once, where a dictionary hashed every name going in and coming out
/// (~45 SipHash look-ups per token across the layers). Names compare as Swift strings, as dictionary keys did.
public struct TokenParameters: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The value of the first pair with this name.
    public subscript(_ name: String) -> String? {
        for pair in pairs where pair.name == name { return pair.value }
        return nil
    }
}
