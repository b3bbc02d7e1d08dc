/// Exact-path routing with per-path methods (plus prefix routes for paths with a free tail, such as
/// `/.well-known/oauth-protected-resource/…`): an unknown path is 404; `OPTIONS` answers the methods with CORS
/// headers (§3.0); `HEAD` runs `GET` without the body; any other method the path lacks is 405 with `Allow`.
/// Every response gets Fusio's CORS headers when the request came with an `Origin`.
public final class Router {
    private var routes: [String: [String: any HTTPHandler]] = [:]
    private var prefixRoutes: [(prefix: String, methods: [String: any HTTPHandler])] = []

    public init() {}

    public func add(_ method: String, _ path: String, _ handler: any HTTPHandler) {
        routes[path, default: [:]][method] = handler
    }

    public func add(_ method: String, prefix: String, _ handler: any HTTPHandler) {
        if let index = prefixRoutes.firstIndex(where: { $0.prefix == prefix }) {
            prefixRoutes[index].methods[method] = handler
        } else {
            prefixRoutes.append((prefix, [method: handler]))
        }
    }

    /// The route a path falls under, for metrics: the registered path or prefix, or nil when none matches (so a
    /// scan of random paths cannot grow the label set).
    public func routeName(for path: String) -> String? {
        if routes[path] != nil { return path }
        return prefixRoutes.first(where: { path.hasPrefix($0.prefix) })?.prefix
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        response.headers.append(contentsOf: CORS.headers(requestHeaders: request.headers, method: request.method))
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        guard let methods = routes[request.path] ?? prefixRoutes.first(where: { request.path.hasPrefix($0.prefix) })?.methods else {
            return HTTPError.notFound.response
        }
        switch request.method {
        case "OPTIONS":
            return HTTPResponse(status: 200, headers: [("Allow", Self.allowed(methods).joined(separator: ", "))])
        case "HEAD" where methods["HEAD"] == nil:
            // nginx drops the body of a HEAD response itself.
            guard let handler = methods["GET"] else { break }
            return handler.handle(request)
        default:
            break
        }
        guard let handler = methods[request.method] else {
            return HTTPError.methodNotAllowed(allow: Self.allowed(methods)).response
        }
        if let problem = request.bodyProblem { return handler.reject(problem) }
        return handler.handle(request)
    }

    /// The `Allow` list, sorted; only OPTIONS and 405 answers need it, so it is not built for every request.
    private static func allowed(_ methods: [String: any HTTPHandler]) -> [String] {
        var allowed = Set(methods.keys)
        if allowed.contains("GET") { allowed.insert("HEAD") }
        allowed.insert("OPTIONS")
        return allowed.sorted()
    }
}
