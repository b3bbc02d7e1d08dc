import FastCGI
import Logging

/// `serve --metrics`: binds the metrics listener and serves the pool's exposition — the supervisor's own
/// (worker restarts) and every worker's, collected over their metrics channels and added up.
enum PoolMetricsListener {
    static func start(_ address: String, logger: Logger) -> WorkerMetricsChannels {
        guard let parsed = ListenAddress(parsing: address) else {
            Bootstrap.fail("--metrics must be unix:/absolute/path.sock (at most 107 bytes) or HOST:PORT")
        }
        let socket: ListeningSocket
        do {
            // Metrics are for the operator, not the web server: owner only.
            socket = try ListeningSocket.bind(parsed, permissions: SocketPermissions(owner: nil, group: nil, mode: 0o600))
        } catch {
            Bootstrap.fail("cannot listen for metrics: \(error)")
        }
        MetricsBackend.bootstrap()
        let channels = WorkerMetricsChannels()
        MetricsServer(socket: socket) {
            let own = String(decoding: MetricsBackend.exposition(), as: UTF8.self)
            let workers = channels.collect().map { String(decoding: $0, as: UTF8.self) }
            return ExpositionMerger.merge([own] + workers)
        }.start()
        logger.info("metrics listening", metadata: ["metrics": "\(address)"])
        return channels
    }
}
