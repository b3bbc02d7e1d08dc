import FusioAuth

/// The parameters of a request, whichever encoding carried them, with each name given at most once.
///
/// PHP's readers let a later duplicate silently win; here a duplicate is an error (RFC 6749 §3.1, §3.2), so a
/// proxy and this service can never disagree about which of two values counted. PHP's `name[]` convention is
/// the one way to send several values, and is read into `list(name)`.
///
/// A request carries a handful of parameters: they are kept in order and found by comparing names (as Swift
/// strings, as dictionary keys were), which beats hashing each name on the way in and out. Past
/// `linearLimit` parameters a name index takes over, so a body of thousands of names is not quadratic.
public struct RequestParameters: Sendable, CustomStringConvertible, CustomReflectable {
    enum Value: Sendable {
        case scalar(String)
        case list([String])
    }

    /// In order of first appearance, list names without `[]`.
    private(set) var entries: [(name: String, value: Value)] = []
    /// Name → position in `entries`, built once there are more than `linearLimit` parameters.
    private var positions: [String: Int]?
    static let linearLimit = 16

    private init() {}

    /// In order of first appearance, list names without `[]`.
    public var names: [String] { entries.map { $0.name } }

    public subscript(_ name: String) -> String? {
        guard let position = position(of: name), case .scalar(let value) = entries[position].value else { return nil }
        return value
    }

    /// Values of `name[]=` form fields or of a JSON array of strings; nil when `name` was not sent as a list.
    public func list(_ name: String) -> [String]? {
        guard let position = position(of: name), case .list(let values) = entries[position].value else { return nil }
        return values
    }

    /// The single-valued parameters in order; lists (`name[]`) are not part of the OAuth token request.
    public var scalars: TokenParameters {
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(entries.count)
        for entry in entries {
            if case .scalar(let value) = entry.value { pairs.append((entry.name, value)) }
        }
        return TokenParameters(pairs)
    }

    public static func form(_ body: some Collection<UInt8>) throws(RequestParameterError) -> RequestParameters {
        var parameters = RequestParameters()
        let pairs = try FormURLEncoded.parse(body)
        parameters.entries.reserveCapacity(pairs.count)
        for pair in pairs {
            // On bytes, as PHP's parse_str: `String.hasSuffix` compares grapheme clusters.
            var rawName = pair.name
            let isList = rawName.withUTF8 { name in
                name.count >= 2 && name[name.count - 1] == UInt8(ascii: "]") && name[name.count - 2] == UInt8(ascii: "[")
            }
            let name = isList ? String(Substring(pair.name.utf8.dropLast(2))) : pair.name
            // PHP's parse_str drops pairs without a name, `[]=` included.
            guard !name.isEmpty else { continue }
            if isList {
                try parameters.append(pair.value, toList: name)
            } else {
                try parameters.set(name, pair.value)
            }
        }
        return parameters
    }

    public static func query(_ rawQuery: String) throws(RequestParameterError) -> RequestParameters {
        try form(rawQuery.utf8)
    }

    /// Scalars become what PHP's string coercion would give (`true` → "1", `false` → ""); `null` counts as
    /// absent. Floats are refused because PHP's float-to-string rules are not worth reproducing for parameters
    /// that are never numbers.
    public static func json(_ body: some Collection<UInt8>) throws(RequestParameterError) -> RequestParameters {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw .malformedBody("invalid JSON (\(error))")
        }
        guard case .object(let object) = document else {
            throw .malformedBody("the body must be a JSON object")
        }
        var parameters = RequestParameters()
        for member in object.members {
            switch member.value {
            case .null:
                continue
            case .string(let value):
                try parameters.set(member.key, value)
            case .int(let value):
                try parameters.set(member.key, String(value))
            case .bool(let value):
                try parameters.set(member.key, value ? "1" : "")
            case .array(let elements):
                var values: [String] = []
                for element in elements {
                    guard case .string(let value) = element else { throw .unsupportedValue(member.key) }
                    values.append(value)
                }
                try parameters.setList(member.key, values)
            case .double, .object:
                throw .unsupportedValue(member.key)
            }
        }
        return parameters
    }

    /// Names only: values include passwords and secrets, and test failures or logs print this.
    public var description: String { "RequestParameters(\(names.joined(separator: ", ")))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["names": names], displayStyle: .struct)
    }

    private func position(of name: String) -> Int? {
        if let positions { return positions[name] }
        return entries.firstIndex { $0.name == name }
    }

    private mutating func add(_ name: String, _ value: Value) {
        entries.append((name, value))
        if positions != nil {
            positions![name] = entries.count - 1
        } else if entries.count > Self.linearLimit {
            var index: [String: Int] = [:]
            for (position, entry) in entries.enumerated() { index[entry.name] = position }
            positions = index
        }
    }

    private mutating func set(_ name: String, _ value: String) throws(RequestParameterError) {
        guard position(of: name) == nil else { throw .duplicateParameter(name) }
        add(name, .scalar(value))
    }

    private mutating func append(_ value: String, toList name: String) throws(RequestParameterError) {
        guard let position = position(of: name) else {
            add(name, .list([value]))
            return
        }
        guard case .list(var values) = entries[position].value else { throw .duplicateParameter(name) }
        entries[position].value = .scalar("")  // drops the array's second reference, so the append below is in place
        values.append(value)
        entries[position].value = .list(values)
    }

    private mutating func setList(_ name: String, _ values: [String]) throws(RequestParameterError) {
        guard position(of: name) == nil else { throw .duplicateParameter(name) }
        add(name, .list(values))
    }
}
