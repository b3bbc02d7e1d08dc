import FusioAuth

/// The client address written into token rows (§6.4). `REMOTE_ADDR` unless a trusted header is configured;
/// from that header the right-most valid address is taken — the one our own proxy added — never the raw
/// list string PHP would store.
public struct ClientIPResolver: Sendable {
    private let trustedHeader: String?

    public init(trustedHeader: String?) {
        self.trustedHeader = trustedHeader?.lowercased()
    }

    public func resolve(_ request: HTTPRequest) -> String {
        if let trustedHeader, let value = request.header(trustedHeader) {
            for candidate in value.split(separator: ",").reversed() {
                let address = String(candidate.trimmingSpaces)
                if ClientIP.isValid(address) { return address }
            }
        }
        return request.remoteAddress.isEmpty ? "127.0.0.1" : request.remoteAddress
    }
}
