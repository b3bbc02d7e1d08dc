import FusioAuth

/// The `.well-known` documents (§3.7) with the endpoints and methods fusio-auth adds.
public final class DiscoveryController: HTTPHandler {
    public enum Document: Sendable { case openIDConfiguration, authorizationServer, protectedResource }

    private let document: Document
    private let profiles: any ProfileRepository
    private let baseURL: String

    public init(_ document: Document, profiles: any ProfileRepository, baseURL: String) {
        self.document = document
        self.profiles = profiles
        self.baseURL = baseURL
    }

    static let protectedResourcePrefix = "/.well-known/oauth-protected-resource/"

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let scopes: [String]
        do {
            scopes = try profiles.discoveryScopes()
        } catch {
            return HTTPError.databaseUnavailable.response
        }
        let object: JSONObject
        switch document {
        case .openIDConfiguration:
            object = DiscoveryDocuments.openIDConfiguration(baseURL: baseURL, scopes: scopes)
        case .authorizationServer:
            object = DiscoveryDocuments.authorizationServer(baseURL: baseURL, scopes: scopes)
        case .protectedResource:
            var path: String?
            if request.path.hasPrefix(Self.protectedResourcePrefix) {
                path = String(request.path.dropFirst(Self.protectedResourcePrefix.count))
            }
            object = DiscoveryDocuments.protectedResource(baseURL: baseURL, path: path, scopes: scopes)
        }
        return .json(200, object)
    }
}
