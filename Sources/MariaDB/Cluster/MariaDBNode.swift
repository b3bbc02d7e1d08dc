/// One node of a cluster, reached over TCP. Plain data, shared between threads through `MariaDBConfiguration`.
public struct MariaDBNode: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address, an IPv6 literal without brackets.
    public var host: String
    public var port: UInt32

    public init(host: String, port: UInt32) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` (`[address]:port` for IPv6), as the node list writes it.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
