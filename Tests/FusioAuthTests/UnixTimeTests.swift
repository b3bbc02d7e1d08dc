import FusioAuth
import Glibc
import Testing

@Suite struct UnixTimeTests {
    // Expected strings from PHP `gmdate("Y-m-d H:i:s", $t)`.
    @Test(arguments: [
        (Int64(0), "1970-01-01 00:00:00"),
        (-1, "1969-12-31 23:59:59"),
        (951_782_400, "2000-02-29 00:00:00"),
        (1_709_164_800, "2024-02-29 00:00:00"),
        (1_700_000_000, "2023-11-14 22:13:20"),
        (2_147_483_647, "2038-01-19 03:14:07"),
        (2_147_483_648, "2038-01-19 03:14:08"),
        (4_102_444_800, "2100-01-01 00:00:00"),
        (253_402_300_799, "9999-12-31 23:59:59"),
        (-62_135_596_800, "0001-01-01 00:00:00"),
    ])
    func formatsAndParses(seconds: Int64, text: String) {
        #expect(UnixTime(seconds: seconds).databaseString == text)
        #expect(UnixTime(databaseString: text) == UnixTime(seconds: seconds))
    }

    @Test func matchesGmtimeOverAWideRange() {
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 7_258_118_400 {      // 2200-01-01
            var value = time_t(seconds)
            var parts = tm()
            gmtime_r(&value, &parts)
            let time = UnixTime(seconds: seconds)
            let text = time.databaseString
            let expected = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
                + pad(Int(parts.tm_mday), 2) + " " + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2)
                + ":" + pad(Int(parts.tm_sec), 2)
            #expect(text == expected)
            #expect(UnixTime(databaseString: text) == time)
            seconds += 86_399 * 3 + 7_777
        }
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    @Test func acceptsFractions() {
        #expect(UnixTime(databaseString: "2023-11-14 22:13:20.123456")?.seconds == 1_700_000_000)
        #expect(UnixTime(databaseString: "2023-11-14 22:13:20.9")?.seconds == 1_700_000_000)
    }

    @Test(arguments: [
        "", "2023-11-14", "2023-11-14 22:13", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z", "2023-11-14 22:13:20 ",
        " 2023-11-14 22:13:20", "2023-11-14 22:13:20.", "2023-11-14 22:13:20.1234567", "2023-11-14 22:13:20.12a",
        "2023-02-29 00:00:00", "2024-02-30 00:00:00", "2100-02-29 00:00:00", "2023-04-31 00:00:00",
        "2023-13-01 00:00:00", "2023-00-10 00:00:00", "0000-00-00 00:00:00", "2023-11-14 24:00:00",
        "2023-11-14 23:60:00", "2023-11-14 23:59:60", "2023-1-14 22:13:20", "+023-11-14 22:13:20",
        "2023-11-14 22:13:2x", "２０２３-11-14 22:13:20",
    ])
    func rejectsMalformedStrings(text: String) {
        #expect(UnixTime(databaseString: text) == nil)
    }

    @Test func leapDays() {
        #expect(UnixTime(databaseString: "2000-02-29 12:00:00") != nil)
        #expect(UnixTime(databaseString: "2024-02-29 23:59:59")!.adding(seconds: 1).databaseString == "2024-03-01 00:00:00")
        #expect(UnixTime(databaseString: "1900-02-28 23:59:59")!.adding(seconds: 1).databaseString == "1900-03-01 00:00:00")
    }

    @Test func ordering() {
        #expect(UnixTime(seconds: 1) < UnixTime(seconds: 2))
        #expect(Set([UnixTime(seconds: 5), UnixTime(seconds: 5)]).count == 1)
    }

    @Test func systemClockIsCurrent() {
        let clock: any Clock = SystemClock()
        let now = clock.now().seconds
        #expect(abs(now - Int64(time(nil))) <= 1)
        #expect(now > 1_700_000_000)
    }
}
