/// Generates client message ids (UNIQ_KEY) in the layout of Java `MessageClientIDSetter` (PROTOCOL.md §4.6):
/// upper-case hex of client IP (4 bytes, or 16) + low 2 bytes of the pid + a 4-byte hash (Java: the class
/// loader's) + milliseconds since the start of the current month (4) + a counter (2); 32 hex characters for
/// IPv4. Not thread-safe: a value type advanced with ``next(nowMillis:)``.
public struct UniqueKeyGenerator: Sendable {
    /// The fixed hex prefix: IP, pid and hash.
    public let prefix: String
    /// Offset of the month calendar from UTC in milliseconds (Java uses the JVM's default time zone).
    public let utcOffsetMillis: Int64
    /// The next counter value.
    public private(set) var counter: UInt16
    private var monthStart: Int64 = .min
    private var nextMonthStart: Int64 = .min

    /// - Parameters:
    ///   - ipAddress: the client's address bytes (4 or 16; any other count is taken as 4 zero bytes).
    ///   - pid: the process id; its low 16 bits are used.
    ///   - hash: 4 bytes Java fills with the class loader's hash code; any per-process random value will do.
    ///   - utcOffsetMillis: the time zone offset used to find the start of the month.
    ///   - counter: the first counter value.
    public init(ipAddress: [UInt8], pid: Int32, hash: Int32, utcOffsetMillis: Int64 = 0, counter: UInt16 = 0) {
        var fixed = (ipAddress.count == 4 || ipAddress.count == 16) ? ipAddress : [0, 0, 0, 0]
        fixed.append(UInt8(truncatingIfNeeded: pid >> 8))
        fixed.append(UInt8(truncatingIfNeeded: pid))
        for shift in [24, 16, 8, 0] { fixed.append(UInt8(truncatingIfNeeded: hash >> shift)) }
        self.prefix = Self.hex(fixed)
        self.utcOffsetMillis = utcOffsetMillis
        self.counter = counter
    }

    /// The next id for the wall-clock time `nowMillis` (ms since the epoch).
    public mutating func next(nowMillis: Int64) -> String {
        if nowMillis >= self.nextMonthStart || nowMillis < self.monthStart {
            (self.monthStart, self.nextMonthStart) = Self.monthBounds(containing: nowMillis, utcOffsetMillis: self.utcOffsetMillis)
        }
        let span = UInt32(truncatingIfNeeded: nowMillis - self.monthStart)
        let count = self.counter
        self.counter &+= 1
        let tail: [UInt8] = [
            UInt8(truncatingIfNeeded: span >> 24), UInt8(truncatingIfNeeded: span >> 16),
            UInt8(truncatingIfNeeded: span >> 8), UInt8(truncatingIfNeeded: span),
            UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
        ]
        return self.prefix + Self.hex(tail)
    }

    /// Start of the month containing `millis` and start of the next one, both in UTC milliseconds, for a
    /// calendar `utcOffsetMillis` ahead of UTC.
    public static func monthBounds(containing millis: Int64, utcOffsetMillis: Int64) -> (start: Int64, next: Int64) {
        let dayMillis: Int64 = 86_400_000
        let local = millis + utcOffsetMillis
        let days = local >= 0 ? local / dayMillis : (local - dayMillis + 1) / dayMillis
        let (year, month, _) = Self.civil(fromDays: days)
        let (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1)
        let start = Self.days(fromCivilYear: year, month: month, day: 1) * dayMillis - utcOffsetMillis
        let next = Self.days(fromCivilYear: nextYear, month: nextMonth, day: 1) * dayMillis - utcOffsetMillis
        return (start, next)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(fromCivilYear year: Int64, month: Int64, day: Int64) -> Int64 {
        // Count from 0000-03-01 so the leap day falls at the end of the counted year.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (offset, byte) in bytes.enumerated() {
                output[offset * 2] = Self.hexDigits[Int(byte >> 4)]
                output[offset * 2 + 1] = Self.hexDigits[Int(byte & 0xF)]
            }
            return bytes.count * 2
        }
    }
}
