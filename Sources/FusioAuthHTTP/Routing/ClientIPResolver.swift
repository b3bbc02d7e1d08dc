import FusioAuth

/// The client address written into token rows and used by the firewall (§6.4, fixed per §8.2 #19):
/// `REMOTE_ADDR`, unless that peer is a trusted proxy and a trusted header is configured — then the right-most
/// address in the header that is not itself a trusted proxy, never the raw list string PHP would store.
/// Anything that is not a valid IPv4/IPv6 address falls back to `REMOTE_ADDR`.
public struct ClientIPResolver: Sendable {
    private let trustedHeader: String?
    private let trustedProxies: [IPAddressRange]

    public init(trustedHeader: String?, trustedProxies: [IPAddressRange] = AbuseSettings.defaults.trustedProxies) {
        self.trustedHeader = trustedHeader?.lowercased()
        self.trustedProxies = trustedProxies
    }

    public func resolve(_ request: HTTPRequest) -> String {
        let remote = request.remoteAddress.isEmpty ? "127.0.0.1" : request.remoteAddress
        guard let trustedHeader, let value = request.header(trustedHeader), isTrusted(remote) else { return remote }
        for candidate in value.split(separator: ",").reversed() {
            guard let address = ClientIP.canonical(String(candidate.trimmingSpaces)) else { return remote }
            if !isTrusted(address) { return address }
        }
        return remote
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
