import FusioAuth

/// `GET|POST /authorization/authorize` (§3.4.1–3.4.2): Fusio's HTML consent page, fixed — every value escaped,
/// a stateless CSRF token bound to the request's query, framing forbidden, a restrictive CSP. The form posts back
/// to the same URL, so the query (client, redirect URI, scope, state, PKCE challenge) travels in the URL.
public final class AuthorizePageController {
    private let apps: any AppRepository
    private let profiles: any ProfileRepository
    private let authenticator: UserAuthenticator
    private let clientIP: ClientIPResolver
    private let service: AuthorizeService
    private let csrf: CSRFToken
    private let clock: any Clock

    public init(apps: any AppRepository, profiles: any ProfileRepository, authenticator: UserAuthenticator,
                clientIP: ClientIPResolver, service: AuthorizeService, projectKey: [UInt8], clock: any Clock) {
        self.apps = apps
        self.profiles = profiles
        self.authenticator = authenticator
        self.clientIP = clientIP
        self.service = service
        self.csrf = CSRFToken(key: projectKey)
        self.clock = clock
    }

    public var get: some HTTPHandler { Handler(controller: self, post: false) }
    public var post: some HTTPHandler { Handler(controller: self, post: true) }

    struct Handler: HTTPHandler {
        let controller: AuthorizePageController
        let post: Bool

        func handle(_ request: HTTPRequest) -> HTTPResponse { controller.handle(request, post: post) }

        func reject(_ error: HTTPError) -> HTTPResponse {
            AuthorizePageController.page(error.status, title: "Request refused", message: error.message)
        }
    }

    func handle(_ request: HTTPRequest, post: Bool) -> HTTPResponse {
        let query: RequestParameters
        let form: RequestParameters
        do {
            query = try .query(request.query)
            form = post ? try .form(request.body) : try .form([UInt8]())
        } catch {
            return Self.page(400, title: "Invalid request", message: error.description)
        }
        guard let clientID = query["client_id"], !clientID.isEmpty else {
            return Self.page(400, title: "Invalid request", message: "Provided no client id")
        }
        let described: AppScopes?
        do {
            described = try AppScopes.describe(clientID: clientID, scope: query["scope"], apps: apps, profiles: profiles)
        } catch {
            return HTTPError.databaseUnavailable.response
        }
        guard let described else { return HTTPError(status: 404, message: "Provided client id does not exist").response }
        let now = clock.now().seconds
        // Browsers also check the redirect after the form post against `form-action`: allow the validated
        // redirect URI's origin on the page that holds the form.
        let redirect = query["redirect_uri"].flatMap { RedirectURI($0) }
        guard post else {
            return consentPage(described, csrfToken: csrf.make(binding: request.query, now: now), error: nil, status: 200,
                               redirect: redirect)
        }
        guard let token = form["csrf"], csrf.verify(token, binding: request.query, now: now) else {
            return Self.page(400, title: "Form expired", message: "The form has expired or is not valid. Please reload the page.")
        }
        let retry = { (message: String) in
            self.consentPage(described, csrfToken: self.csrf.make(binding: request.query, now: now), error: message, status: 400,
                             redirect: redirect)
        }
        guard let username = form["username"], !username.isEmpty, let password = form["password"], !password.isEmpty else {
            return retry("Provided no username and password")
        }
        do {
            guard let user = try authenticator.authenticate(login: username, password: password,
                                                             source: clientIP.resolve(request)) else {
                return retry("Provided invalid credentials")
            }
            let selected = described.scopes.filter { form["scope_\($0.id)"] == "on" }.map(\.name)
            guard !selected.isEmpty else { return retry("No scopes selected") }
            let result = try service.authorize(userID: user.id, AuthorizeRequest(
                responseType: query["response_type"] ?? "", clientID: clientID, redirectURI: query["redirect_uri"],
                scope: selected.joined(separator: " "), state: query["state"], allow: form["allow"] == "Allow",
                codeChallenge: query["code_challenge"], codeChallengeMethod: query["code_challenge_method"]))
            if let location = result.redirectURI {
                return HTTPResponse(status: 302, headers: AuthorizePage.headers + [("Location", location)])
            }
            if let code = result.code {
                return Self.page(200, title: "Access granted",
                                 message: "No redirect uri was provided. Your authorization code is: \(code)")
            }
            return Self.page(400, title: "Access not granted", message: result.error ?? result.type)
        } catch {
            return HTTPError.databaseUnavailable.response
        }
    }

    private func consentPage(_ described: AppScopes, csrfToken: String, error: String?, status: Int,
                             redirect: RedirectURI?) -> HTTPResponse {
        let page = AuthorizePage(
            appName: described.app.name, appURL: described.app.url,
            scopes: described.scopes.map { AuthorizePage.Scope(id: $0.id, name: $0.name, description: $0.description) },
            csrfToken: csrfToken, error: error)
        let allowed = redirect.flatMap { $0.isAllowed(forAppURL: described.app.url) ? $0 : nil }
        return HTTPResponse(status: status, headers: AuthorizePage.headers(allowingRedirectTo: allowed), body: page.render())
    }

    static func page(_ status: Int, title: String, message: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: AuthorizePage.headers, body: AuthorizePage.message(title: title, message: message))
    }
}
