import Foundation

/// One typed column of a table: a name, a logical type, its storage and which cells are present.
public struct Column: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public var storage: ColumnStorage
    public var validity: ValidityBitmap

    public var count: Int { validity.count }

    public init(name: String, type: ColumnType, storage: ColumnStorage, validity: ValidityBitmap) {
        self.name = name
        self.type = type
        self.storage = storage
        self.validity = validity
    }

    public func isValid(_ row: Int) -> Bool { validity[row] }

    /// The cell as a number: booleans as 0/1, dates as days, datetimes as seconds; nil for nulls and text.
    public func double(at row: Int) -> Double? {
        guard validity[row] else { return nil }
        switch storage {
        case .integer(let values): return Double(values[row])
        case .float(let values): return values[row]
        case .boolean(let values): return values[row] ? 1 : 0
        case .date(let values): return Double(values[row])
        case .datetime(let values): return Double(values[row])
        case .category, .text: return nil
        }
    }

    /// The cell as people read it: ISO 8601 for dates and datetimes, shortest round-trip for floats.
    public func string(at row: Int) -> String? {
        guard validity[row] else { return nil }
        switch storage {
        case .integer(let values): return String(values[row])
        case .float(let values): return CellFormat.float(values[row])
        case .boolean(let values): return values[row] ? "true" : "false"
        case .date(let values): return CellFormat.date(days: values[row])
        case .datetime(let values): return CellFormat.datetime(seconds: values[row])
        case .category(let codes, let dictionary): return dictionary[Int(codes[row])]
        case .text(let text): return text[row]
        }
    }

    /// Builds a text column from optional strings (nil is null), for tests and small conversions.
    public init(name: String, values: [String?]) {
        var validity = ValidityBitmap(count: values.count)
        for (row, value) in values.enumerated() where value == nil { validity[row] = false }
        self.init(name: name, type: .text, storage: .text(TextStorage(values.map { $0 ?? "" })), validity: validity)
    }
}

/// Columns of equal length: what a CSV file becomes.
public struct Table: Sendable, Equatable {
    public var columns: [Column]
    public var rowCount: Int

    public init(columns: [Column], rowCount: Int) {
        self.columns = columns
        self.rowCount = rowCount
    }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// Rows as display strings (nil for null), for the storage layer and previews.
    public func rows(in range: Range<Int>) -> [[String?]] {
        let bounded = range.clamped(to: 0..<rowCount)
        return bounded.map { row in columns.map { $0.string(at: row) } }
    }
}

/// Display forms of typed cells.
enum CellFormat {
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func date(days: Int32) -> String {
        CivilDate(days: Int(days)).isoString
    }

    static func datetime(seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let date = CivilDate(days: Int(days)).isoString
        return date + String(format: "T%02d:%02d:%02dZ", rest / 3600, (rest % 3600) / 60, rest % 60)
    }
}

extension CivilDate {
    /// Whether the numbers name a real calendar day (no 31 April, no 29 February 2023).
    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        // A switch, not a table: this runs for every date cell read, and needs no allocation.
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return day <= (leap ? 29 : 28)
        case 4, 6, 9, 11: return day <= 30
        default: return day <= 31
        }
    }
}

extension Column {
    /// The storage, moved out of the column (which is left with empty storage until the caller
    /// puts storage back). Taken from a column nobody else holds, its arrays have one owner and
    /// can be changed in place: filling the gaps of a million-row column then copies nothing.
    mutating func takeStorage() -> ColumnStorage {
        let taken = storage
        storage = .boolean([])
        return taken
    }
}
