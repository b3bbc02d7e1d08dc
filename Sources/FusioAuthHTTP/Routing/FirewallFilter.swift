import FusioAuth
import Logging

/// Runs the firewall around the router: a blocked IP is refused before any credential is looked at (400
/// `invalid_request` on the token endpoint as Fusio answers there, 403 elsewhere), and every other 4xx is
/// counted towards a ban.
public final class FirewallFilter {
    private let firewall: Firewall
    private let clientIP: ClientIPResolver
    private let logger: Logger

    public init(firewall: Firewall, clientIP: ClientIPResolver, logger: Logger) {
        self.firewall = firewall
        self.clientIP = clientIP
        self.logger = logger
    }

    public func respond(to request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) -> HTTPResponse {
        let ip = clientIP.resolve(request)
        if firewall.isBlocked(ip) {
            if request.path == "/authorization/token" {
                return TokenController.render(.invalidRequest(Firewall.blockedMessage))
            }
            return HTTPError(status: 403, message: Firewall.blockedMessage).response
        }
        let response = next(request)
        if (400...499).contains(response.status) {
            do {
                if try firewall.recordClientError(ip: ip, status: response.status) { HTTPMetrics.firewallBans.increment() }
            } catch {
                logger.warning("firewall log failed", metadata: ["error": "\(error)"])
            }
        }
        return response
    }
}
