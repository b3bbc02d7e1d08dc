/// Where and how to connect. Plain data: safe to share between threads; every thread builds its own
/// `MariaDBConnection` from it.
public struct MariaDBConfiguration: Sendable {
    /// Host name or IP. libmariadb treats "localhost" as "use the unix socket" (its default socket path
    /// unless `unixSocket` is set). Ignored when `unixSocket` is set.
    public var host: String
    /// TCP port; 0 means the library default (3306).
    public var port: UInt32
    public var user: String
    public var password: String
    /// Default schema; empty means none.
    public var database: String
    /// When set, always connect through this unix socket, whatever `host` says.
    public var unixSocket: String?
    /// Connection character set. utf8mb4 matches Fusio's tables; everything this module sends and
    /// receives is UTF-8.
    public var charset: String
    /// Upper bound for establishing the connection (TCP connect + handshake).
    public var connectTimeoutSeconds: UInt32
    /// Upper bound for each network read. A statement running longer than this fails with a connection
    /// error (2013) and the connection is dropped: raise it for `migrate`.
    public var readTimeoutSeconds: UInt32
    /// Upper bound for each network write.
    public var writeTimeoutSeconds: UInt32
    /// Run by the server on every (re)connect, e.g. session variables the queries rely on.
    public var sessionInitCommand: String?
    /// The nodes of a cluster, in failover order (`NodeRotation`). When set, `host`, `port` and `unixSocket`
    /// are not used: every connection goes to one of these over TCP.
    public var nodes: [MariaDBNode]
    /// With `nodes`: how long a connection that failed over stays on a later node before it tries the earlier
    /// ones again, between requests (`MariaDBConnection.failBackIfDue`); 0 = never.
    public var failBackSeconds: UInt32

    public init(
        host: String,
        port: UInt32,
        user: String,
        password: String,
        database: String,
        unixSocket: String?,
        charset: String = "utf8mb4",
        connectTimeoutSeconds: UInt32 = 2,
        readTimeoutSeconds: UInt32 = 10,
        writeTimeoutSeconds: UInt32 = 10,
        sessionInitCommand: String? = nil,
        nodes: [MariaDBNode] = [],
        failBackSeconds: UInt32 = 0
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.unixSocket = unixSocket
        self.charset = charset
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.writeTimeoutSeconds = writeTimeoutSeconds
        self.sessionInitCommand = sessionInitCommand
        self.nodes = nodes
        self.failBackSeconds = failBackSeconds
    }
}
