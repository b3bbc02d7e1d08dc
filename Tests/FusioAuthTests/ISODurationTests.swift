import FusioAuth
import Testing

@Suite struct ISODurationTests {
    private func add(_ duration: String, to date: String) throws -> String {
        try ISODuration(parsing: duration).added(to: UnixTime(databaseString: date)!).databaseString
    }

    @Test func parsesComponents() throws {
        #expect(try ISODuration(parsing: "P2D") == ISODuration(days: 2))
        #expect(try ISODuration(parsing: "P3D") == ISODuration(days: 3))
        #expect(try ISODuration(parsing: "PT1H30M") == ISODuration(hours: 1, minutes: 30))
        #expect(try ISODuration(parsing: "P1W") == ISODuration(days: 7))
        #expect(try ISODuration(parsing: "P1W2D") == ISODuration(days: 9))
        #expect(try ISODuration(parsing: "P1M1W") == ISODuration(months: 1, days: 7))
        #expect(try ISODuration(parsing: "P1Y2M") == ISODuration(years: 1, months: 2))
        #expect(try ISODuration(parsing: "P1Y2M3DT4H5M6S")
            == ISODuration(years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6))
        #expect(try ISODuration(parsing: "PT36H") == ISODuration(hours: 36))
        #expect(try ISODuration(parsing: "P0D") == ISODuration())
        #expect(try ISODuration(parsing: "P01D") == ISODuration(days: 1))
        #expect(try ISODuration(parsing: " P1D ") == ISODuration(days: 1))
    }

    @Test func fixedLengthAdditions() throws {
        let now = UnixTime(seconds: 1_700_000_000)
        #expect(try ISODuration(parsing: "P2D").added(to: now).seconds == 1_700_172_800)
        #expect(try ISODuration(parsing: "P3D").added(to: now).seconds == 1_700_259_200)
        #expect(try ISODuration(parsing: "PT1H30M").added(to: now).seconds == 1_700_005_400)
        #expect(try ISODuration(parsing: "P1W").added(to: now).seconds == 1_700_604_800)
        #expect(try ISODuration(parsing: "PT5M").added(to: now).seconds == 1_700_000_300)
    }

    // Expected values from PHP 8.2 `(new DateTime($date, new DateTimeZone('UTC')))->add(new DateInterval($d))`.
    @Test(arguments: [
        ("P1M", "2023-01-31 10:00:00", "2023-03-03 10:00:00"),
        ("P1M", "2024-01-31 10:00:00", "2024-03-02 10:00:00"),
        ("P1M", "2024-02-29 10:00:00", "2024-03-29 10:00:00"),
        ("P1Y", "2024-02-29 00:00:00", "2025-03-01 00:00:00"),
        ("P1M1DT1H", "2023-01-31 23:30:00", "2023-03-05 00:30:00"),
        ("P1Y2M3DT4H5M6S", "2023-11-30 23:30:00", "2025-02-03 03:35:06"),
        ("P1Y2M", "2023-11-30 23:30:00", "2025-01-30 23:30:00"),
        ("P2D", "2023-12-31 12:00:00", "2024-01-02 12:00:00"),
        ("P1M", "1969-12-31 23:59:59", "1970-01-31 23:59:59"),
        ("P12M", "2037-06-15 00:00:00", "2038-06-15 00:00:00"),
    ])
    func calendarAdditionsMatchPHP(duration: String, start: String, expected: String) throws {
        #expect(try add(duration, to: start) == expected)
    }

    // Every one of these throws in PHP 8.2 `new DateInterval(...)` as well.
    @Test(arguments: [
        "", "P", "PT", "P1DT", "P1YT", "2D", "1D", "P1", "p1d", "P1d", "P1.5D", "P1,5D", "P-1D", "P+1D", "P1H",
        "PT1D", "P2D1W", "P1D1M", "P1D1D", "P1Y1Y", "PT1M1H", "PT1S1M", "P1DX", "P 1D", "PT1H1", "P1DT1HT1M",
    ])
    func rejectsInvalidInput(text: String) {
        #expect(throws: ISODurationError.self) { try ISODuration(parsing: text) }
    }

    @Test func errorCases() {
        #expect(throws: ISODurationError.noComponents) { try ISODuration(parsing: "P") }
        #expect(throws: ISODurationError.noComponents) { try ISODuration(parsing: "PT") }
        #expect(throws: ISODurationError.malformed) { try ISODuration(parsing: "P1.5D") }
        #expect(throws: ISODurationError.outOfRange) { try ISODuration(parsing: "P99999999999999999999D") }
    }
}
