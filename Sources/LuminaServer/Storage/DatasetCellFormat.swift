import Analytics

/// Text forms of dates and timestamps shared by the writers (SQLite TEXT, PostgreSQL COPY) and the
/// JSON pages, so all of them agree on one spelling.
///
/// Loads format millions of cells, so the forms of years 0–9999 are written digit by digit into one
/// buffer (one allocation per `String`, none when writing into a `ByteBuffer`); other years, which
/// only the JSON pages of values outside the storable range could meet, take the general path.
enum DatasetCellFormat {
    /// Days of 0001-01-01 and 9999-12-31: the range both engines (and four-digit ISO years) can hold.
    static let minDays = CivilDate(year: 1, month: 1, day: 1).days
    static let maxDays = CivilDate(year: 9999, month: 12, day: 31).days

    static func isInRange(days: Int) -> Bool { (minDays...maxDays).contains(days) }

    static func isInRange(seconds: Int64) -> Bool {
        isInRange(days: Int(floorDays(seconds)))
    }

    /// `YYYY-MM-DD`.
    static func date(days: Int) -> String {
        let date = CivilDate(days: days)
        guard (0...9999).contains(date.year) else { return date.isoString }
        return String(unsafeUninitializedCapacity: 10) { writeDate(date, into: UnsafeMutableRawBufferPointer($0), at: 0) }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC), the form of the API and of SQLite's stored text.
    static func datetime(seconds: Int64) -> String {
        timestamp(seconds: seconds, separator: UInt8(ascii: "T"), zone: utcZone)
    }

    /// `YYYY-MM-DD HH:MM:SS+00`, which PostgreSQL's timestamptz input reads whatever the session time zone.
    static func postgresTimestamp(seconds: Int64) -> String {
        timestamp(seconds: seconds, separator: UInt8(ascii: " "), zone: postgresZone)
    }

    private static let utcZone: [UInt8] = Array("Z".utf8)
    static let postgresZone: [UInt8] = Array("+00".utf8)

    private static func timestamp(seconds: Int64, separator: UInt8, zone: [UInt8]) -> String {
        let days = floorDays(seconds)
        let date = CivilDate(days: Int(days))
        let rest = Int(seconds - days * 86_400)
        guard (0...9999).contains(date.year) else {
            return date.isoString + String(decoding: [separator], as: UTF8.self) + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":"
                + two(rest % 60) + String(decoding: zone, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: 19 + zone.count) { buffer in
            let out = UnsafeMutableRawBufferPointer(buffer)
            var i = writeDate(date, into: out, at: 0)
            out[i] = separator
            i = writeTime(secondsOfDay: rest, into: out, at: i + 1)
            for byte in zone {
                out[i] = byte
                i += 1
            }
            return i
        }
    }

    /// Days since 1970-01-01 of the UTC day holding `seconds` (rounding down before 1970 too).
    static func floorDays(_ seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Writes `YYYY-MM-DD` (10 bytes; the year must be 0–9999) at `i`; returns the index after it.
    @inline(__always)
    static func writeDate(_ date: CivilDate, into out: UnsafeMutableRawBufferPointer, at i: Int) -> Int {
        let year = date.year
        out[i] = UInt8(48 + year / 1000)
        out[i + 1] = UInt8(48 + year / 100 % 10)
        out[i + 2] = UInt8(48 + year / 10 % 10)
        out[i + 3] = UInt8(48 + year % 10)
        out[i + 4] = UInt8(ascii: "-")
        out[i + 5] = UInt8(48 + date.month / 10)
        out[i + 6] = UInt8(48 + date.month % 10)
        out[i + 7] = UInt8(ascii: "-")
        out[i + 8] = UInt8(48 + date.day / 10)
        out[i + 9] = UInt8(48 + date.day % 10)
        return i + 10
    }

    /// Writes `HH:MM:SS` (8 bytes) at `i`; returns the index after it.
    @inline(__always)
    static func writeTime(secondsOfDay rest: Int, into out: UnsafeMutableRawBufferPointer, at i: Int) -> Int {
        let hours = rest / 3600, minutes = rest / 60 % 60, seconds = rest % 60
        out[i] = UInt8(48 + hours / 10)
        out[i + 1] = UInt8(48 + hours % 10)
        out[i + 2] = UInt8(ascii: ":")
        out[i + 3] = UInt8(48 + minutes / 10)
        out[i + 4] = UInt8(48 + minutes % 10)
        out[i + 5] = UInt8(ascii: ":")
        out[i + 6] = UInt8(48 + seconds / 10)
        out[i + 7] = UInt8(48 + seconds % 10)
        return i + 8
    }

    /// Text as a database column can hold it: NUL (which PostgreSQL refuses in text and SQLite's C
    /// API cuts strings at) becomes U+FFFD, the same on both engines; the raw file keeps the byte.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// U+FFFD in UTF-8, written for a NUL byte in COPY data.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
}
