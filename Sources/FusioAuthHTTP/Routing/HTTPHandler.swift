public protocol HTTPHandler {
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// How request-level failures (e.g. an oversized body) are rendered on this route.
    func reject(_ error: HTTPError) -> HTTPResponse
}

extension HTTPHandler {
    public func reject(_ error: HTTPError) -> HTTPResponse { error.response }
}
