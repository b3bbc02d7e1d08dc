/// Bounds on what one connection may make us hold, and the figures FCGI_GET_VALUES reports.
public struct FastCGILimits: Sendable {
    /// Request bodies above this are answered 413 without being buffered (the bytes are read and dropped).
    public var maximumBodySize: Int
    /// FCGI_PARAMS above this (all names and values of one request) are dropped; the request is answered 431.
    public var maximumParametersSize: Int
    /// Requests one connection may have open at once (multiplexing); more are refused with FCGI_OVERLOADED.
    public var maximumRequestsPerConnection: Int
    /// FCGI_MAX_CONNS: connections this process accepts at once (its file descriptor budget).
    public var maximumConnections: Int
    /// FCGI_MAX_REQS: requests this process holds at once (queued and running).
    public var maximumRequests: Int

    public init(maximumBodySize: Int = 64 * 1024, maximumParametersSize: Int = 64 * 1024,
                maximumRequestsPerConnection: Int = 8, maximumConnections: Int = 1024, maximumRequests: Int = 4096) {
        self.maximumBodySize = maximumBodySize
        self.maximumParametersSize = maximumParametersSize
        self.maximumRequestsPerConnection = maximumRequestsPerConnection
        self.maximumConnections = maximumConnections
        self.maximumRequests = maximumRequests
    }
}
