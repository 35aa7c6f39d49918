/// A chart query: filters, up to two group-by dimensions, measures, and presentation limits.
///
/// Codable with snake_case keys so dashboards can store it as JSON. Group-by over zero
/// dimensions is a KPI (one value per measure); a `histogram` replaces grouping with bins of a
/// numeric column.
public struct AggregationQuery: Sendable, Codable, Equatable {
    public enum Function: String, Sendable, Codable, CaseIterable {
        case sum, mean, count, countDistinct = "count_distinct", min, max, median
    }

    /// One aggregated value per group. `column` may be omitted for `count` (rows).
    public struct Measure: Sendable, Codable, Equatable {
        public var column: String?
        public var function: Function
        /// Series name; defaults to e.g. `sum(revenue)`.
        public var name: String?

        public init(_ function: Function, _ column: String? = nil, name: String? = nil) {
            self.function = function
            self.column = column
            self.name = name
        }

        public var displayName: String { name ?? "\(function.rawValue)(\(column ?? "*"))" }
    }

    /// A grouping column, with a time bucket when it is a date or datetime.
    public struct Dimension: Sendable, Codable, Equatable {
        public var column: String
        public var bucket: TimeBucket?

        public init(_ column: String, bucket: TimeBucket? = nil) {
            self.column = column
            self.bucket = bucket
        }
    }

    public enum Filter: Sendable, Codable, Equatable {
        /// Cell's text form equals the value (categories, booleans `true`/`false`, numbers).
        case equals(column: String, value: String)
        case oneOf(column: String, values: [String])
        /// Numeric (or date as `YYYY-MM-DD`-converted day number) range, bounds inclusive.
        case range(column: String, min: Double?, max: Double?)
        /// Case-insensitive substring match on the text form.
        case contains(column: String, text: String)
        case isNull(column: String, isNull: Bool)

        public var column: String {
            switch self {
            case .equals(let c, _), .oneOf(let c, _), .range(let c, _, _), .contains(let c, _), .isNull(let c, _): return c
            }
        }
    }

    public struct HistogramSpec: Sendable, Codable, Equatable {
        public var column: String
        /// Bin count; `nil` picks one (`Histogram.suggestedBinCount`).
        public var bins: Int?

        public init(column: String, bins: Int? = nil) {
            self.column = column
            self.bins = bins
        }
    }

    public enum Order: String, Sendable, Codable {
        /// Natural key order: chronological for time buckets, dictionary order for categories.
        case key
        /// Largest first by the first measure (the usual bar chart).
        case valueDescending = "value_descending"
    }

    public var groupBy: [Dimension]
    public var measures: [Measure]
    public var filters: [Filter]
    /// Keep the `topN` largest first-dimension groups and fold the rest into "Other".
    public var topN: Int?
    public var order: Order
    public var histogram: HistogramSpec?

    public init(
        groupBy: [Dimension] = [], measures: [Measure] = [Measure(.count)], filters: [Filter] = [],
        topN: Int? = nil, order: Order = .key, histogram: HistogramSpec? = nil
    ) {
        self.groupBy = groupBy
        self.measures = measures
        self.filters = filters
        self.topN = topN
        self.order = order
        self.histogram = histogram
    }

    public static let otherLabel = "Other"

    enum CodingKeys: String, CodingKey {
        case groupBy = "group_by", measures, filters, topN = "top_n", order, histogram
    }
}

/// Why an aggregation could not run; messages name the column.
public enum AggregationError: Error, Equatable, CustomStringConvertible {
    case unknownColumn(String)
    case notNumeric(column: String, function: String)
    case tooManyDimensions(Int)
    case bucketOnNonTemporal(String)

    public var description: String {
        switch self {
        case .unknownColumn(let c): return "no column named \"\(c)\""
        case .notNumeric(let c, let f): return "\(f) needs a numeric column, and \"\(c)\" is not numeric"
        case .tooManyDimensions(let n): return "group by takes at most two columns, got \(n)"
        case .bucketOnNonTemporal(let c): return "time buckets need a date column, and \"\(c)\" is not one"
        }
    }
}
