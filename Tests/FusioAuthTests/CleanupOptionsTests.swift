import FusioAuth
import Testing

@Suite struct CleanupOptionsTests {
    @Test func refusesBadValuesNamingTheOption() {
        #expect(throws: CleanupOptionError.self) { try CleanupOptions(olderThan: "30 days", batchSize: 10, pauseMilliseconds: 0, dryRun: false) }
        for (batch, pause, option) in [(0, 0, "--batch"), (100_001, 0, "--batch"), (10, -1, "--pause-ms"), (10, 10_001, "--pause-ms")] {
            do {
                _ = try CleanupOptions(olderThan: "P30D", batchSize: batch, pauseMilliseconds: pause, dryRun: false)
                Issue.record("accepted batch \(batch) pause \(pause)")
            } catch {
                #expect(error.option == option)
            }
        }
    }
}
