import FusioCrypto

/// Client credentials from an `Authorization: Basic` header, accepted and rejected exactly where psx-framework's
/// token controller would, so that a client gets the same answer from either service.
public struct ClientCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let id: String
    public let secret: String

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// PHP splits the header at the first space and needs the scheme to be exactly `Basic`. It decodes with the
    /// lenient `base64_decode`, which skips foreign characters, and splits at the first `:`; there is no
    /// URL-decoding (unlike RFC 6749 §2.3.1). Both parts must be non-empty in the sense of PHP's `empty()`, which
    /// also rejects `"0"`. Bytes that are not UTF-8 are refused because the columns they are compared with hold
    /// UTF-8 only.
    public static func fromAuthorizationHeader(_ value: String?) -> ClientCredentials? {
        guard let value else { return nil }
        let header = Array(value.utf8)
        guard let space = header.firstIndex(of: UInt8(ascii: " ")),
            header[..<space].elementsEqual("Basic".utf8)
        else { return nil }
        let encoded = header[(space + 1)...]
        guard !isPHPEmpty(encoded) else { return nil }

        let decoded = Base64.decodeLenient(String(decoding: encoded, as: UTF8.self))
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let id = decoded[..<colon]
        let secret = decoded[(colon + 1)...]
        guard !isPHPEmpty(id), !isPHPEmpty(secret), let idText = utf8String(id), let secretText = utf8String(secret)
        else { return nil }
        return ClientCredentials(id: idText, secret: secretText)
    }

    public var description: String { "ClientCredentials(id: \(id), secret: ****)" }

    public var debugDescription: String { description }

    /// `dump()` and the debugger read the mirror, not `description`; without this they would print the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["id": id, "secret": "****"], displayStyle: .struct)
    }

    private static func isPHPEmpty(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.isEmpty || bytes.elementsEqual([UInt8(ascii: "0")])
    }

    private static func utf8String(_ bytes: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.elementsEqual(bytes) ? text : nil
    }
}
