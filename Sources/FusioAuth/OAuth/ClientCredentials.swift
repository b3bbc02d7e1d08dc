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
        guard var value else { return nil }
        return value.withUTF8 { header in
            guard header.count > 6, header[5] == UInt8(ascii: " "), header[0..<5].elementsEqual("Basic".utf8) else { return nil }
            let encoded = UnsafeBufferPointer(rebasing: header[6...])
            guard !isPHPEmpty(encoded[...]) else { return nil }
            let decoded = Base64.decodeLenient(bytes: encoded)
            guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let id = decoded[..<colon]
            let secret = decoded[(colon + 1)...]
            guard !isPHPEmpty(id), !isPHPEmpty(secret), let idText = StrictUTF8.string(id),
                  let secretText = StrictUTF8.string(secret)
            else { return nil }
            return ClientCredentials(id: idText, secret: secretText)
        }
    }

    public var description: String { "ClientCredentials(id: \(id), secret: ****)" }

    public var debugDescription: String { description }

    /// `dump()` and the debugger read the mirror, not `description`; without this they would print the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["id": id, "secret": "****"], displayStyle: .struct)
    }

    private static func isPHPEmpty<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.isEmpty || (bytes.count == 1 && bytes.first == UInt8(ascii: "0"))
    }
}
