/// Exact-path routing with per-path methods: an unknown path is 404, a known path with another method is 405
/// with `Allow`.
public final class Router {
    private var routes: [String: [String: any HTTPHandler]] = [:]

    public init() {}

    public func add(_ method: String, _ path: String, _ handler: any HTTPHandler) {
        routes[path, default: [:]][method] = handler
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard let methods = routes[request.path] else { return HTTPError.notFound.response }
        guard let handler = methods[request.method] else {
            return HTTPError.methodNotAllowed(allow: methods.keys.sorted()).response
        }
        if let problem = request.bodyProblem { return handler.reject(problem) }
        return handler.handle(request)
    }
}
