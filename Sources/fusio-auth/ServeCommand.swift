import ArgumentParser
import FastCGI
import FusioAuth
import FusioAuthMariaDB
import Glibc
import MariaDB

struct PoolOptions: ParsableArguments {
    /// 16: threads mostly wait for the database, and with group commit the tokens of threads waiting together are
    /// written in one transaction (README, "Group commit of token writes"). Batches form per process, so what counts
    /// is how many token requests one process holds at once: at 16 connections one worker with 16 threads wrote
    /// batches of ~8 tokens where two workers with 8 threads each wrote ~3.5 (README, "Pool shape").
    @Option(help: "Threads per worker process for ordinary requests, each with one MariaDB connection.")
    var threads: Int = 16

    @Option(name: .customLong("password-threads"),
            help: "Threads per worker process for password checks (bcrypt), each with one MariaDB connection (default: cores / workers, at least 1).")
    var passwordThreads: Int?
}

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the supervisor and its worker processes (foreground; SIGHUP reloads, SIGTERM drains and exits 0).")

    @OptionGroup var environment: EnvironmentOptions
    @OptionGroup var pool: PoolOptions

    @Option(help: "unix:/abs/path.sock or HOST:PORT. Without it the listening socket is taken from fd 0 (spawn-fcgi).")
    var listen: String?

    /// One by default: a worker's threads already use every core, and one process batches the token writes of the
    /// whole host (README, "Pool shape"). More workers confine a crash to the requests one of them holds.
    @Option(help: "Worker processes (default 1; each uses every core through its threads).")
    var workers: Int = 1

    @Option(name: .customLong("socket-owner"), help: "Owner of the unix socket.")
    var socketOwner: String?

    @Option(name: .customLong("socket-group"), help: "Group of the unix socket (default www-data where it exists).")
    var socketGroup: String?

    @Option(name: .customLong("socket-mode"), help: "Mode of the unix socket (default 0660).")
    var socketMode: String?

    @Option(help: "Serve Prometheus metrics of the whole pool at /metrics on this separate listener: HOST:PORT or unix:/abs/path.sock.")
    var metrics: String?

    func run() throws {
        let logger = Bootstrap.logger("fusio-auth")
        let settings: Settings
        do {
            settings = try ConfigurationLoader.load(envFile: environment.env)
        } catch {
            Bootstrap.fail("\(error)")
        }
        guard (1...256).contains(pool.threads) else { Bootstrap.fail("--threads must be between 1 and 256") }
        guard (1...256).contains(workers) else { Bootstrap.fail("--workers must be between 1 and 256") }
        // One bcrypt at a time per core for the whole pool: a login storm may use the CPU, never every thread.
        let passwordThreads = pool.passwordThreads ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)) / workers)
        guard (1...64).contains(passwordThreads) else { Bootstrap.fail("--password-threads must be between 1 and 64") }

        let activated: ListeningSocket?
        do {
            activated = try ListeningSocket.activated()
        } catch {
            Bootstrap.fail("socket activation: \(error)")
        }
        let socket: ListeningSocket
        if let listen {
            guard let address = ListenAddress(parsing: listen) else {
                Bootstrap.fail("--listen must be unix:/absolute/path.sock (at most 107 bytes) or HOST:PORT")
            }
            var permissions = SocketPermissions.defaults()
            if let socketOwner { permissions.owner = socketOwner }
            if let socketGroup { permissions.group = socketGroup }
            if let socketMode {
                guard let mode = SocketPermissions.parseMode(socketMode) else { Bootstrap.fail("--socket-mode must be octal, e.g. 0660") }
                permissions.mode = mode
            }
            do {
                socket = try ListeningSocket.bind(address, permissions: permissions)
            } catch {
                Bootstrap.fail("cannot listen: \(error)")
            }
        } else if let activated {
            socket = activated
        } else {
            guard let inherited = ListeningSocket.inherited() else {
                Bootstrap.fail("no --listen given, no socket from systemd (LISTEN_FDS) and fd 0 is not a listening socket (start it with spawn-fcgi or give --listen)")
            }
            socket = inherited
        }
        logger.info("starting", metadata: [
            "listen": "\(listen ?? (activated != nil ? "systemd fd 3" : "fd 0"))", "workers": "\(workers)", "threads": "\(pool.threads)", "password_threads": "\(passwordThreads)",
            "app_url": "\(settings.baseURL)", "database": "\(settings.database)",
            "database_hosts": "\(settings.databaseHosts.map(\.description).joined(separator: ","))",
        ])
        var supervisor = Supervisor(
            socket: socket, workerCount: workers, workerExecutable: Self.executablePath(),
            workerArguments: ["worker", "--env", environment.env, "--threads", String(pool.threads),
                              "--password-threads", String(passwordThreads)],
            validateConfiguration: { [envFile = environment.env] in Self.configurationProblem(envFile: envFile) },
            logger: logger
        )
        if let metrics {
            supervisor.metricsChannels = PoolMetricsListener.start(metrics, logger: logger)
            supervisor.workerArguments.append("--metrics-channel")
        }
        supervisor.run()
    }

    /// A reload re-reads the `.env` the new workers will read; nil when it validates. The error names the key,
    /// never a value.
    static func configurationProblem(envFile: String) -> String? {
        do {
            _ = try ConfigurationLoader.load(envFile: envFile)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Workers are fresh executions of this very binary.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { Bootstrap.fail("cannot resolve /proc/self/exe") }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "One worker process (started by `serve`; listening socket on fd 0).",
        shouldDisplay: false)

    @OptionGroup var environment: EnvironmentOptions
    @OptionGroup var pool: PoolOptions

    @Flag(name: .customLong("metrics-channel"), help: "Answer the supervisor's metrics requests on fd 6.")
    var metricsChannel = false

    func run() throws {
        let logger = Bootstrap.logger("fusio-auth.worker")
        if metricsChannel {
            MetricsBackend.bootstrap()
            WorkerMetricsChannel.serve(exposition: MetricsBackend.exposition)
        }
        let settings: Settings
        do {
            settings = try ConfigurationLoader.load(envFile: environment.env)
        } catch {
            Bootstrap.fail("\(error)")
        }
        MariaDBConnection.initializeLibrary()
        let configuration = WorkerPool.Configuration(
            threadCount: pool.threads, passwordThreadCount: pool.passwordThreads ?? 1,
            queueTimeoutMilliseconds: settings.queueTimeoutMilliseconds,
            limits: FastCGILimits(maximumBodySize: ServiceResponder.maximumBodySize))
        let tokenWrites = TokenWriteBatch.coalescer()
        let revocations = FamilyRevocations()
        WorkerPool(configuration: configuration, logger: logger).run(
            makeResponder: { lane, _ in
                ServiceResponder(settings: settings, lane: lane, tokenWrites: tokenWrites, revocations: revocations,
                                 logger: logger)
            },
            classify: ServiceResponder.lane(for:),
            overloaded: ServiceResponder.overloaded)
    }
}
