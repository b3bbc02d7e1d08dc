import FastCGI
import FusioAuth
import FusioAuthHTTP
import FusioAuthMariaDB
import Logging
import MariaDB

/// One worker thread's service: its own MariaDB connection, repositories, grant handlers and router, and the
/// translation between the FastCGI request and the HTTP layer's.
final class ServiceResponder: FastCGIResponder {
    /// Bodies above this are refused with 413 before any parsing (the FastCGI layer does not even buffer them).
    static let maximumBodySize = 64 * 1024

    private let router = Router()
    private let requestMetrics = RequestMetrics()
    private let firewall: FirewallFilter
    private let passwordLane: PasswordCheckLane
    private let logger: Logger
    private let connection: MariaDBConnection

    /// `tokenWrites`: the worker process's coalescer, shared by all its threads (README, "Group commit of token
    /// writes"); `revocations`: the token families its threads are revoking.
    init(settings: Settings, lane: FastCGILane, tokenWrites: TokenWriteCoalescer, revocations: FamilyRevocations,
         logger: Logger) {
        self.logger = logger
        passwordLane = PasswordCheckLane(admitsChecks: lane == .password)
        MariaDBConnection.initializeThread()
        connection = MariaDBConnection(configuration: ConfigurationLoader.mariaDB(settings))
        let store = FusioStore(connection: connection, tenantID: settings.tenantID,
                               causalReads: !settings.databaseHosts.isEmpty, tokenWrites: tokenWrites)
        let clock = SystemClock()
        let authenticator = UserAuthenticator(
            users: store, failures: store,
            throttle: .init(maxFailures: settings.abuse.loginMaxFailures, window: settings.abuse.loginWindow,
                            knownSourceLifetime: settings.abuse.loginKnownSourceLifetime),
            clock: clock, lane: passwordLane)
        let clients = ClientAuthenticator(apps: store)
        let issuer = TokenIssuer(settings: settings, tokens: store, clock: clock)
        let refresher = TokenRefresher(tokens: store, apps: store, users: store, issuer: issuer,
                                       refreshLifetime: settings.refreshLifetime, clock: clock, revocations: revocations)
        let endpoint = TokenEndpoint(handlers: [
            ClientCredentialsGrant(clients: clients, users: store, authenticator: authenticator, issuer: issuer),
            PasswordGrant(clients: clients, users: store, authenticator: authenticator, issuer: issuer),
            AuthorizationCodeGrant(apps: store, users: store, codes: store, issuer: issuer, clock: clock,
                                   revocations: revocations),
            RefreshTokenGrant(clients: clients, authenticator: authenticator, refresher: refresher),
        ])
        let clientIP = ClientIPResolver(trustedHeader: settings.trustedIPHeader, trustedProxies: settings.abuse.trustedProxies)
        firewall = FirewallFilter(
            firewall: Firewall(repository: store, settings: settings.abuse, clock: clock,
                               monotonicMilliseconds: { MonotonicTime.milliseconds() }),
            clientIP: clientIP, logger: logger)
        router.add("POST", "/authorization/token", TokenController(endpoint: endpoint, clientIP: clientIP, logger: logger))
        let validator = BearerValidator(tokens: store, projectKey: settings.projectKey, clock: clock)
        let baseURL = settings.baseURL
        let authorize = AuthorizeService(apps: store, users: store, consents: store, tokens: store, clock: clock)

        // Fusio operations: the filter chain of OperationPipeline (fusio_log row, rate limit, X-Request-Id, …).
        let operations = OperationServices(tokens: store, validator: validator, logs: store, clientIP: clientIP,
                                           baseURL: baseURL, clock: clock, logger: logger)
        func operation(_ method: String, _ path: String, _ name: String, _ action: some OperationAction) {
            router.add(method, path, OperationPipeline(name, action, services: operations))
        }
        let consumerLogin = ConsumerLoginController(
            login: ConsumerLogin(users: store, authenticator: authenticator, issuer: issuer), refresher: refresher,
            logger: logger)
        operation("POST", "/consumer/login", "consumer.account.login", consumerLogin.post)
        operation("PUT", "/consumer/login", "consumer.account.refresh", consumerLogin.put)
        operation("GET", "/authorization/whoami", "authorization.getWhoami", WhoamiController(profiles: store, clock: clock))
        operation("POST", "/authorization/revoke", "authorization.revoke",
                  RevokeController(tokens: store, clients: clients, clock: clock))
        let consumerAuthorize = ConsumerAuthorizeController(apps: store, profiles: store, service: authorize)
        operation("GET", "/consumer/authorize", "consumer.account.getApp", consumerAuthorize.get)
        operation("POST", "/consumer/authorize", "consumer.account.authorize", consumerAuthorize.post)

        router.add("POST", "/authorization/introspect",
                   IntrospectController(validator: validator, clients: clients, projectKey: settings.projectKey, clock: clock))
        let authorizePage = AuthorizePageController(apps: store, profiles: store, authenticator: authenticator,
                                                    clientIP: clientIP, service: authorize, projectKey: settings.projectKey, clock: clock)
        router.add("GET", "/authorization/authorize", authorizePage.get)
        router.add("POST", "/authorization/authorize", authorizePage.post)
        router.add("GET", "/.well-known/openid-configuration",
                   DiscoveryController(.openIDConfiguration, profiles: store, baseURL: baseURL))
        router.add("GET", "/.well-known/oauth-authorization-server",
                   DiscoveryController(.authorizationServer, profiles: store, baseURL: baseURL))
        let protectedResource = DiscoveryController(.protectedResource, profiles: store, baseURL: baseURL)
        router.add("GET", "/.well-known/oauth-protected-resource", protectedResource)
        router.add("GET", prefix: "/.well-known/oauth-protected-resource/", protectedResource)
        // POST too, so load generators that only send POST (the shared benchmark's ping row) can probe it.
        let health = HealthController(check: store)
        for method in ["GET", "HEAD", "POST"] { router.add(method, "/health", health) }
    }

    func respond(to request: FastCGIRequest) -> FastCGIOutcome {
        let startedAt = ContinuousClock.now
        let httpRequest = Self.httpRequest(request)
        let response = firewall.respond(to: httpRequest) { router.respond(to: $0) }
        // Counted once, by the lane that answers.
        if passwordLane.takeHandOver() { return .needsPasswordLane }
        requestMetrics.record(route: router.routeName(for: httpRequest.path), response: response, startedAt: startedAt)
        if response.status >= 500 {
            logger.warning("request failed", metadata: ["status": "\(response.status)", "path": "\(httpRequest.path)"])
        }
        var answer = Self.fastCGIResponse(response)
        answer.delayMilliseconds = passwordLane.takeAnswerDelay()
        return .response(answer)
    }

    /// A thread that failed over to a later cluster node moves back when its earlier node is ready again
    /// (FUSIO_AUTH_DB_FAILBACK): here, between requests, so that no request runs on two nodes.
    func didAnswer() {
        connection.failBackIfDue()
    }

    static func httpRequest(_ request: FastCGIRequest) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers.reserveCapacity(16)
        var method = "GET", uri = "/", remote = ""
        request.forEachParameter { name, value in
            if ParameterBytes.hasPrefix(name, "HTTP_") {
                headers.add(Self.headerName(UnsafeBufferPointer(rebasing: name[5...])), String(decoding: value, as: UTF8.self))
            } else if ParameterBytes.equal(name, "REQUEST_METHOD") {
                method = String(decoding: value, as: UTF8.self)
            } else if ParameterBytes.equal(name, "REQUEST_URI") {
                uri = String(decoding: value, as: UTF8.self)
            } else if ParameterBytes.equal(name, "REMOTE_ADDR") {
                remote = String(decoding: value, as: UTF8.self)
            } else if ParameterBytes.equal(name, "CONTENT_TYPE"), !value.isEmpty {
                headers.add("content-type", String(decoding: value, as: UTF8.self))
            }
        }
        let problem: HTTPError?
        switch request.problem {
        case nil: problem = nil
        case .bodyTooLarge: problem = .payloadTooLarge
        case .bodyTruncated, .bodyMalformed: problem = .malformedBody
        case .parametersTooLarge: problem = .parametersTooLarge
        }
        return HTTPRequest(method: method, requestURI: uri, headers: headers, body: request.body,
                           bodyProblem: problem, remoteAddress: remote)
    }

    static func fastCGIResponse(_ response: HTTPResponse) -> FastCGIResponse {
        FastCGIResponse(status: response.status, reason: response.reason, headers: response.headers, body: response.body)
    }

    /// The event loop's first guess at the lane (see `PasswordRoutes`).
    static func lane(for request: FastCGIRequest) -> FastCGILane {
        PasswordRoutes.checksPassword(method: request.parameter("REQUEST_METHOD") ?? "",
                                      requestURI: request.parameter("REQUEST_URI") ?? "", body: request.body)
            ? .password : .standard
    }

    /// 503 with Retry-After for a request that waited past the queue deadline.
    static func overloaded(_ request: FastCGIRequest) -> FastCGIResponse {
        let method = request.parameter("REQUEST_METHOD") ?? ""
        var response = ServiceUnavailable.response(method: method, requestURI: request.parameter("REQUEST_URI") ?? "")
        if let origin = request.parameter("HTTP_ORIGIN") {
            response.headers.append(contentsOf: CORS.headers(requestHeaders: ["origin": origin], method: method))
        }
        return fastCGIResponse(response)
    }
}

extension ServiceResponder {
    /// Names of the headers every request brings, without the `HTTP_` prefix: recognised by length and bytes and
    /// answered with a literal, not built byte by byte (~250 instructions a header).
    private static let commonHeaders: [(cgiName: StaticString, name: String)] = [
        ("HOST", "host"), ("USER_AGENT", "user-agent"), ("AUTHORIZATION", "authorization"), ("ACCEPT", "accept"),
        ("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length"), ("CONNECTION", "connection"),
        ("ORIGIN", "origin"), ("ACCEPT_ENCODING", "accept-encoding"), ("X_FORWARDED_FOR", "x-forwarded-for"),
    ]

    /// `USER_AGENT` → `user-agent`: the HTTP layer's header names.
    static func headerName(_ cgiName: UnsafeBufferPointer<UInt8>) -> String {
        for common in commonHeaders where ParameterBytes.equal(cgiName, common.cgiName) { return common.name }
        return String(unsafeUninitializedCapacity: cgiName.count) { out in
            for (index, byte) in cgiName.enumerated() {
                out[index] = byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            return cgiName.count
        }
    }
}
