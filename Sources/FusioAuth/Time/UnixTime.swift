/// Whole seconds since the Unix epoch. Fusio stores DATETIME columns as `Y-m-d H:i:s` in PHP's default time
/// zone, which is UTC unless php.ini says otherwise (reference §1.2), so all conversions here are UTC and
/// done by hand: no locale, no time-zone database, no dependence on the MariaDB session zone.
public struct UnixTime: Sendable, Comparable, Hashable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.seconds < rhs.seconds }

    public func adding(seconds delta: Int64) -> UnixTime { UnixTime(seconds: seconds + delta) }

    public var description: String { databaseString }

    /// `Y-m-d H:i:s` in UTC, e.g. `2023-11-14 22:13:20`. Written into the string's own storage: a token row
    /// and its audit format four of these.
    public var databaseString: String {
        String(unsafeUninitializedCapacity: Self.maximumDatabaseStringLength) { out in
            writeDatabaseString(to: out.baseAddress!)
        }
    }

    /// Room `writeDatabaseString(to:)` may need: a sign, the 20 digits of the largest year, and `-MM-DD HH:MM:SS`.
    static let maximumDatabaseStringLength = 36

    /// Writes `databaseString` at `out` (room for `maximumDatabaseStringLength` bytes) and returns its length, so
    /// that a caller that builds a larger text (the audit row's JSON) needs no string of its own for it.
    @discardableResult
    func writeDatabaseString(to out: UnsafeMutablePointer<UInt8>) -> Int {
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        var position = out
        if year < 0 {
            position.pointee = UInt8(ascii: "-")
            position += 1
        }
        // At least four year digits (PHP's `Y` pads to four), more when the year has them.
        var yearDigits = 4
        var magnitude = year.magnitude
        while yearDigits < 20 && magnitude >= Self.powerOfTen(yearDigits) { yearDigits += 1 }
        var digit = position + yearDigits
        while digit > position {
            digit -= 1
            digit.pointee = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        }
        position += yearDigits
        @inline(__always) func put(_ separator: UInt8, _ value: Int) {
            position[0] = separator
            position[1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10)
            position[2] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
            position += 3
        }
        put(UInt8(ascii: "-"), month)
        put(UInt8(ascii: "-"), day)
        put(UInt8(ascii: " "), secondOfDay / 3600)
        put(UInt8(ascii: ":"), secondOfDay / 60 % 60)
        put(UInt8(ascii: ":"), secondOfDay % 60)
        return position - out
    }

    /// Parses exactly `YYYY-MM-DD HH:MM:SS`, optionally followed by `.` and 1–6 fraction digits (what
    /// MariaDB returns for DATETIME(n) columns); the fraction is dropped, as PHP's `Y-m-d H:i:s` would.
    /// Impossible dates (Feb 30, month 13, the MariaDB zero date) are rejected.
    public init?(databaseString: some StringProtocol) {
        let bytes = Array(databaseString.utf8)
        guard bytes.count == 19 || (bytes.count >= 21 && bytes.count <= 26 && bytes[19] == UInt8(ascii: ".")),
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = Self.number(bytes, 0, 4), let month = Self.number(bytes, 5, 2),
              let day = Self.number(bytes, 8, 2), let hour = Self.number(bytes, 11, 2),
              let minute = Self.number(bytes, 14, 2), let second = Self.number(bytes, 17, 2)
        else { return nil }
        if bytes.count > 19 && Self.number(bytes, 20, bytes.count - 20) == nil { return nil }
        guard (1...12).contains(month), (1...Self.daysInMonth(year: Int64(year), month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = Self.days(fromCivilYear: Int64(year), month: month, day: day)
        seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    // MARK: Civil calendar (proleptic Gregorian; Howard Hinnant's days_from_civil / civil_from_days)

    static func days(fromCivilYear year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<start + length] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// 10^exponent for exponent < 20 (the largest power of ten a UInt64 holds is 10^19).
    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
