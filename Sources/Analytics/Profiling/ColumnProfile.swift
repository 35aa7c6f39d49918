/// What one column holds: counts, spread, shape and most common values.
///
/// Numeric statistics use the sample standard deviation (ddof = 1) and type-7 quantiles
/// (see `Quantiles`). Dates report min/max as ISO dates and their quantiles as day numbers'
/// dates. Encodes with snake_case keys.
public struct ColumnProfile: Sendable, Codable, Equatable {
    public struct ValueCount: Sendable, Codable, Equatable {
        public var value: String
        public var count: Int
    }

    public var name: String
    public var type: ColumnType
    public var count: Int
    public var nulls: Int
    public var distinct: Int
    public var min: JSONValue?
    public var max: JSONValue?
    public var mean: Double?
    public var median: Double?
    public var std: Double?
    public var skewness: Double?
    /// Raw median absolute deviation (not scaled by 1.4826), the spread behind robust z-scores.
    public var mad: Double?
    /// Mean absolute deviation from the median: the robust-z fallback scale when MAD is 0.
    public var meanAbsoluteDeviation: Double?
    /// Keys `p05`, `p25`, `p50`, `p75`, `p95`.
    public var quantiles: [String: Double]?
    public var histogram: Histogram?
    public var topValues: [ValueCount]
    /// Whether the column looks like a row identifier (unique integers).
    public var isIdentifier: Bool

    public var nullFraction: Double { count > 0 ? Double(nulls) / Double(count) : 0 }

    /// The robust summary behind outlier rules, when the profile has the numbers for it.
    public var robustSummary: RobustSummary? {
        guard let median, let mad, let meanAbsoluteDeviation, let q1 = quantiles?["p25"], let q3 = quantiles?["p75"] else {
            return nil
        }
        return RobustSummary(count: count - nulls, median: median, mad: mad, q1: q1, q3: q3,
                             meanAbsoluteDeviation: meanAbsoluteDeviation)
    }

    enum CodingKeys: String, CodingKey {
        case name, type, count, nulls, distinct, min, max, mean, median, std, skewness, mad
        case meanAbsoluteDeviation = "mean_absolute_deviation", quantiles, histogram
        case topValues = "top_values", isIdentifier = "is_identifier"
    }
}

/// The profile of a whole table.
public struct DatasetProfile: Sendable, Codable, Equatable {
    public var rowCount: Int
    public var columnCount: Int
    /// Rows that exactly repeat an earlier row.
    public var duplicateRows: Int
    /// Bytes held by the typed columns (values, validity bitmaps, dictionaries, text).
    public var memoryBytes: Int
    public var columns: [ColumnProfile]

    enum CodingKeys: String, CodingKey {
        case rowCount = "row_count", columnCount = "column_count", duplicateRows = "duplicate_rows"
        case memoryBytes = "memory_bytes", columns
    }

    public func column(named name: String) -> ColumnProfile? {
        columns.first { $0.name == name }
    }
}
