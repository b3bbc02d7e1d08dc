/// The validated options of `fusio-auth cleanup`; every bad value is refused with a message naming the option.
public struct CleanupOptions: Sendable, Equatable {
    public static let batchRange = 1...100_000
    public static let pauseRange = 0...10_000

    public let olderThan: ISODuration
    /// Rows per DELETE: each batch is its own short transaction, so issuing waits at most for one batch.
    public let batchSize: Int
    /// Milliseconds between batches, leaving the database's CPU and log writes to request traffic.
    public let pauseMilliseconds: Int
    public let dryRun: Bool

    public init(olderThan: String, batchSize: Int, pauseMilliseconds: Int, dryRun: Bool) throws(CleanupOptionError) {
        do {
            self.olderThan = try ISODuration(parsing: olderThan)
        } catch {
            throw CleanupOptionError(option: "--older-than", reason: "must be an ISO-8601 duration such as P30D")
        }
        guard Self.batchRange.contains(batchSize) else {
            throw CleanupOptionError(option: "--batch", reason: "must be a whole number from 1 to \(Self.batchRange.upperBound)")
        }
        guard Self.pauseRange.contains(pauseMilliseconds) else {
            throw CleanupOptionError(option: "--pause-ms", reason: "must be a whole number from 0 to \(Self.pauseRange.upperBound)")
        }
        self.batchSize = batchSize
        self.pauseMilliseconds = pauseMilliseconds
        self.dryRun = dryRun
    }
}
