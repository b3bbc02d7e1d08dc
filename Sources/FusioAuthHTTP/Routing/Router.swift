/// Exact-path routing with per-path methods (plus prefix routes for paths with a free tail, such as
/// `/.well-known/oauth-protected-resource/…`): an unknown path is 404; `OPTIONS` answers the methods with CORS
/// headers (§3.0); `HEAD` runs `GET` without the body; any other method the path lacks is 405 with `Allow`.
/// Every response gets Fusio's CORS headers when the request came with an `Origin`.
///
/// About fifteen paths with one to three methods each: kept in lists and found by length, then bytes, which
/// is cheaper than hashing the path and the method for every request (and again for the metrics label).
public final class Router {
    private typealias Methods = [(method: String, handler: any HTTPHandler)]
    private var routes: [(path: String, methods: Methods)] = []
    private var prefixRoutes: [(prefix: String, methods: Methods)] = []

    public init() {}

    public func add(_ method: String, _ path: String, _ handler: any HTTPHandler) {
        if let index = routes.firstIndex(where: { $0.path == path }) {
            Self.set(method, handler, in: &routes[index].methods)
        } else {
            routes.append((path, [(method, handler)]))
        }
    }

    public func add(_ method: String, prefix: String, _ handler: any HTTPHandler) {
        if let index = prefixRoutes.firstIndex(where: { $0.prefix == prefix }) {
            Self.set(method, handler, in: &prefixRoutes[index].methods)
        } else {
            prefixRoutes.append((prefix, [(method, handler)]))
        }
    }

    /// The route a path falls under, for metrics: the registered path or prefix, or nil when none matches (so a
    /// scan of random paths cannot grow the label set).
    public func routeName(for path: String) -> String? {
        if let index = exactRoute(path) { return routes[index].path }
        return prefixRoutes.first(where: { path.hasPrefix($0.prefix) })?.prefix
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        let cors = CORS.headers(requestHeaders: request.headers, method: request.method)
        // Even an empty append makes the headers unique, copying a controller's constant list.
        if !cors.isEmpty { response.headers.append(contentsOf: cors) }
        return response
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let methods: Methods
        if let index = exactRoute(request.path) {
            methods = routes[index].methods
        } else if let prefixed = prefixRoutes.first(where: { request.path.hasPrefix($0.prefix) }) {
            methods = prefixed.methods
        } else {
            return HTTPError.notFound.response
        }
        switch request.method {
        case "OPTIONS":
            return HTTPResponse(status: 200, headers: [("Allow", Self.allowed(methods).joined(separator: ", "))])
        case "HEAD" where Self.handler("HEAD", in: methods) == nil:
            // nginx drops the body of a HEAD response itself.
            guard let handler = Self.handler("GET", in: methods) else { break }
            return handler.handle(request)
        default:
            break
        }
        guard let handler = Self.handler(request.method, in: methods) else {
            return HTTPError.methodNotAllowed(allow: Self.allowed(methods)).response
        }
        if let problem = request.bodyProblem { return handler.reject(problem) }
        return handler.handle(request)
    }

    private func exactRoute(_ path: String) -> Int? {
        let length = path.utf8.count
        return routes.firstIndex { $0.path.utf8.count == length && $0.path == path }
    }

    private static func handler(_ method: String, in methods: Methods) -> (any HTTPHandler)? {
        methods.first { $0.method == method }?.handler
    }

    private static func set(_ method: String, _ handler: any HTTPHandler, in methods: inout Methods) {
        if let index = methods.firstIndex(where: { $0.method == method }) {
            methods[index].handler = handler
        } else {
            methods.append((method, handler))
        }
    }

    /// The `Allow` list, sorted; only OPTIONS and 405 answers need it, so it is not built for every request.
    private static func allowed(_ methods: Methods) -> [String] {
        var allowed = Set(methods.map { $0.method })
        if allowed.contains("GET") { allowed.insert("HEAD") }
        allowed.insert("OPTIONS")
        return allowed.sorted()
    }
}
