import ArgumentParser
import FusioAuth
import FusioAuthMariaDB
import Glibc

struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete expired and revoked tokens, expired codes and fusio-auth's stale rows, in small batches.")

    @OptionGroup var environment: EnvironmentOptions
    @Option(name: .customLong("older-than"), help: "Keep tokens that expired (or revoked ones issued) within this ISO-8601 duration.")
    var olderThan = "P30D"
    @Option(help: "Rows per DELETE (1–100000); each batch is one short transaction.") var batch = 1000
    // A second per 1000 rows left the client_credentials p99 within noise with 5 million rows in fusio_token, where
    // 10 ms raised it by 52 ms (scripts/bench-cleanup, README "Token cleanup").
    @Option(name: .customLong("pause-ms"), help: "Milliseconds to wait between batches (0–10000).") var pauseMs = 1000
    @Flag(name: .customLong("dry-run"), help: "Only count what would be deleted.") var dryRun = false

    func run() throws {
        let options: CleanupOptions
        do {
            options = try CleanupOptions(olderThan: olderThan, batchSize: batch, pauseMilliseconds: pauseMs, dryRun: dryRun)
        } catch {
            Bootstrap.fail("\(error)")
        }
        let settings = AdminSession.settings(environment)
        let store = FusioCleanupStore(connection: AdminSession.connectedOrFail(settings))
        let cleaner = TableCleaner(store: store, options: options) { usleep(useconds_t($0) * 1000) }
        let cutoffs = CleanupCutoffs(now: SystemClock().now(), olderThan: options.olderThan, abuse: settings.abuse)
        do {
            for line in try cleaner.run(cutoffs: cutoffs).lines { print(line) }
        } catch {
            Bootstrap.fail("cleanup failed: \(error)")
        }
    }
}
