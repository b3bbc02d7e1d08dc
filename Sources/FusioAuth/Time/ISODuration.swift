/// An interval in PHP `DateInterval` syntax, used for `fusio_expire_token` (default `P2D`) and
/// `fusio_expire_refresh` (`P3D`).
///
/// Accepted: `P[nY][nM][nW][nD][T[nH][nM][nS]]`, designators in that order, unsigned integers only, at least
/// one component, surrounding spaces/tabs ignored. `W` counts 7 days and may be combined with `D` (PHP ≥ 8.0 adds them). PHP's alternative
/// `P0001-02-03T…` form is not accepted; Fusio's configuration never uses it.
public struct ISODuration: Sendable, Equatable {
    public var years: Int
    public var months: Int
    public var days: Int
    public var hours: Int
    public var minutes: Int
    public var seconds: Int

    /// Far beyond any sensible lifetime, and small enough that `added(to:)` cannot overflow Int64.
    private static let componentLimit = 1_000_000_000

    public init(years: Int = 0, months: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
        self.years = years
        self.months = months
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    public init(parsing text: String) throws(ISODurationError) {
        self.init()
        // PHP's parser skips surrounding blanks, so a padded value in .env works there and must work here.
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = Array(text.utf8.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
        guard bytes.first == UInt8(ascii: "P") else { throw .malformed }
        var index = 1
        var inTimePart = false
        var componentCount = 0
        var weeks = 0
        // Position in the designator order Y M W D | H M S; each may appear once and only after earlier ones.
        var lastRank = -1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "T") {
                guard !inTimePart else { throw .malformed }
                inTimePart = true
                index += 1
                // "PT" alone and "P1DT" are refused by PHP as well.
                guard index < bytes.count else { throw componentCount == 0 ? .noComponents : .malformed }
                continue
            }
            var value = 0
            let digitsStart = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                guard value <= Self.componentLimit else { throw .outOfRange }
                index += 1
            }
            guard index > digitsStart, index < bytes.count else { throw .malformed }
            let rank: Int
            switch (bytes[index], inTimePart) {
            case (UInt8(ascii: "Y"), false): rank = 0; years = value
            case (UInt8(ascii: "M"), false): rank = 1; months = value
            case (UInt8(ascii: "W"), false): rank = 2; weeks = value
            case (UInt8(ascii: "D"), false): rank = 3; days = value
            case (UInt8(ascii: "H"), true): rank = 4; hours = value
            case (UInt8(ascii: "M"), true): rank = 5; minutes = value
            case (UInt8(ascii: "S"), true): rank = 6; seconds = value
            default: throw .malformed
            }
            guard rank > lastRank else { throw .malformed }
            lastRank = rank
            componentCount += 1
            index += 1
        }
        guard componentCount > 0 else { throw .noComponents }
        days += weeks * 7
    }

    /// PHP `DateTime::add` in UTC: years and months move the calendar month first while the day of month is
    /// kept, so an impossible day rolls into the next month (Jan 31 + P1M = Mar 3, or Mar 2 in a leap year);
    /// then days, hours, minutes and seconds are added as plain amounts of time (UTC has no DST gaps).
    public func added(to time: UnixTime) -> UnixTime {
        let startDay = UnixTime.floorDivide(time.seconds, 86_400)
        let secondOfDay = time.seconds - startDay * 86_400
        let (year, month, day) = UnixTime.civil(fromDays: startDay)
        let monthIndex = year * 12 + Int64(month - 1) + Int64(years) * 12 + Int64(months)
        let newYear = UnixTime.floorDivide(monthIndex, 12)
        let newMonth = Int(monthIndex - newYear * 12) + 1
        let firstOfMonth = UnixTime.days(fromCivilYear: newYear, month: newMonth, day: 1)
        let dayNumber = firstOfMonth + Int64(day - 1) + Int64(days)
        let timeSeconds = secondOfDay + Int64(hours) * 3600 + Int64(minutes) * 60 + Int64(seconds)
        return UnixTime(seconds: dayNumber * 86_400 + timeSeconds)
    }

    /// The start of a window of this length that ends at `time` (the length as measured forward from `time`; the
    /// throttles use fixed-length windows, so the calendar's month lengths do not matter here).
    public func subtracted(from time: UnixTime) -> UnixTime {
        UnixTime(seconds: time.seconds - (added(to: time).seconds - time.seconds))
    }
}
