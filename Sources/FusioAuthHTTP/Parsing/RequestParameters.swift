import FusioAuth

/// The parameters of a request, whichever encoding carried them, with each name given at most once.
///
/// PHP's readers let a later duplicate silently win; here a duplicate is an error (RFC 6749 §3.1, §3.2), so a
/// proxy and this service can never disagree about which of two values counted. PHP's `name[]` convention is
/// the one way to send several values, and is read into `list(name)`.
public struct RequestParameters: Sendable, CustomStringConvertible, CustomReflectable {
    private var scalars: [String: String] = [:]
    private var lists: [String: [String]] = [:]
    /// In order of first appearance, list names without `[]`.
    public private(set) var names: [String] = []

    private init() {}

    public subscript(_ name: String) -> String? { scalars[name] }

    /// Values of `name[]=` form fields or of a JSON array of strings; nil when `name` was not sent as a list.
    public func list(_ name: String) -> [String]? { lists[name] }

    public static func form(_ body: some Collection<UInt8>) throws(RequestParameterError) -> RequestParameters {
        var parameters = RequestParameters()
        for pair in try FormURLEncoded.parse(body) {
            let isList = pair.name.hasSuffix("[]")
            let name = isList ? String(pair.name.dropLast(2)) : pair.name
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

    private mutating func set(_ name: String, _ value: String) throws(RequestParameterError) {
        guard scalars[name] == nil, lists[name] == nil else { throw .duplicateParameter(name) }
        scalars[name] = value
        names.append(name)
    }

    private mutating func append(_ value: String, toList name: String) throws(RequestParameterError) {
        guard scalars[name] == nil else { throw .duplicateParameter(name) }
        if lists[name] == nil { names.append(name) }
        lists[name, default: []].append(value)
    }

    private mutating func setList(_ name: String, _ values: [String]) throws(RequestParameterError) {
        guard scalars[name] == nil, lists[name] == nil else { throw .duplicateParameter(name) }
        lists[name] = values
        names.append(name)
    }
}
