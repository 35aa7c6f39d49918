import Analytics

/// Text forms of dates and timestamps shared by the writers (SQLite TEXT, PostgreSQL COPY) and the
/// JSON pages, so all of them agree on one spelling.
enum DatasetCellFormat {
    /// Days of 0001-01-01 and 9999-12-31: the range both engines (and four-digit ISO years) can hold.
    static let minDays = CivilDate(year: 1, month: 1, day: 1).days
    static let maxDays = CivilDate(year: 9999, month: 12, day: 31).days

    static func isInRange(days: Int) -> Bool { (minDays...maxDays).contains(days) }

    static func isInRange(seconds: Int64) -> Bool {
        isInRange(days: Int(floorDays(seconds)))
    }

    /// `YYYY-MM-DD`.
    static func date(days: Int) -> String { CivilDate(days: days).isoString }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC), the form of the API and of SQLite's stored text.
    static func datetime(seconds: Int64) -> String {
        let days = floorDays(seconds)
        let rest = Int(seconds - days * 86_400)
        return CivilDate(days: Int(days)).isoString + "T" + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60) + "Z"
    }

    /// `YYYY-MM-DD HH:MM:SS+00`, which PostgreSQL's timestamptz input reads whatever the session time zone.
    static func postgresTimestamp(seconds: Int64) -> String {
        let days = floorDays(seconds)
        let rest = Int(seconds - days * 86_400)
        return CivilDate(days: Int(days)).isoString + " " + two(rest / 3600) + ":" + two(rest / 60 % 60) + ":" + two(rest % 60) + "+00"
    }

    /// Days since 1970-01-01 of the UTC day holding `seconds` (rounding down before 1970 too).
    static func floorDays(_ seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Text as a database column can hold it: NUL (which PostgreSQL refuses in text and SQLite's C
    /// API cuts strings at) becomes U+FFFD, the same on both engines; the raw file keeps the byte.
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// U+FFFD in UTF-8, written for a NUL byte in COPY data.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
}
