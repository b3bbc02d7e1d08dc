import FusioAuth

/// `GET|POST /consumer/authorize` (§3.4.4, operations `consumer.account.getApp` and `consumer.account.authorize`),
/// the JSON variant of the consent step for single-page apps. Unlike Fusio, POST without a valid token is 401, not
/// a 500 for "user 0".
public final class ConsumerAuthorizeController {
    private let apps: any AppRepository
    private let profiles: any ProfileRepository
    private let service: AuthorizeService

    public init(apps: any AppRepository, profiles: any ProfileRepository, service: AuthorizeService) {
        self.apps = apps
        self.profiles = profiles
        self.service = service
    }

    public var get: some OperationAction { Action(controller: self, post: false) }
    public var post: some OperationAction { Action(controller: self, post: true) }

    struct Action: OperationAction {
        let controller: ConsumerAuthorizeController
        let post: Bool

        func authentication(for request: HTTPRequest) -> OperationAuthentication {
            post ? .bearer(alsoAllowed: []) : .anonymous
        }

        func perform(_ request: HTTPRequest, context: OperationContext) -> HTTPResponse {
            guard post else { return controller.describeApp(request) }
            guard let token = context.token else { return HTTPError.notFound.response }
            return controller.authorize(request, token: token)
        }
    }

    func describeApp(_ request: HTTPRequest) -> HTTPResponse {
        do {
            let query = try RequestParameters.query(request.query)
            guard let described = try AppScopes.describe(clientID: query["client_id"] ?? "", scope: query["scope"],
                                                         apps: apps, profiles: profiles) else {
                return HTTPError(status: 404, message: "Provided client id does not exist").response
            }
            return .json(200, [
                "id": .int(described.app.id), "name": .string(described.app.name), "url": .string(described.app.url),
                "scopes": .array(described.scopes.map { entry in
                    .object(["id": .int(entry.id), "name": .string(entry.name), "description": .string(entry.description)])
                }),
            ])
        } catch let error as RequestParameterError {
            return HTTPError(status: 400, message: error.description).response
        } catch {
            return HTTPError.databaseUnavailable.response
        }
    }

    func authorize(_ request: HTTPRequest, token: ActiveToken) -> HTTPResponse {
        do {
            guard let body = try RequestParameters.ofBody(request) else {
                return HTTPError(status: 415, message: "Content-Type must be application/json").response
            }
            let allow = body["allow"].map { $0 == "1" || $0 == "true" } ?? false
            let result = try service.authorize(userID: token.userID, AuthorizeRequest(
                responseType: body["responseType"] ?? "", clientID: body["clientId"] ?? "",
                redirectURI: body["redirectUri"], scope: body["scope"] ?? "", state: body["state"], allow: allow,
                codeChallenge: body["codeChallenge"], codeChallengeMethod: body["codeChallengeMethod"]))
            return .json(200, result.json, headers: [("Cache-Control", "no-store")])
        } catch let error as RequestParameterError {
            return HTTPError(status: 400, message: error.description).response
        } catch {
            return HTTPError.databaseUnavailable.response
        }
    }
}

/// An app and the scopes the consent step shows for it (§3.4.1, §3.4.4): without `scope` all of the app's own
/// scopes, otherwise the requested ones the app has (plan scopes included), in the app's order.
struct AppScopes {
    let app: FusioApp
    let scopes: [ScopeCatalogue.Entry]

    static func describe(clientID: String, scope: String?, apps: any AppRepository,
                         profiles: any ProfileRepository) throws(StorageError) -> AppScopes? {
        guard !clientID.isEmpty,
              let client = try apps.findClients(appKey: clientID, allowCached: false).clients.first(where: { $0.app.isActive }) else {
            return nil
        }
        let names: [String]
        if let scope, !scope.isEmpty {
            names = ScopeResolver.validScopes(requested: scope, app: client.appScopes, user: nil)
        } else {
            names = client.appScopes.names(includingPlan: false)
        }
        return AppScopes(app: client.app, scopes: try profiles.scopeEntries(named: names))
    }
}
