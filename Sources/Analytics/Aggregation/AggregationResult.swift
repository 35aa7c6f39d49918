/// Chart-shaped result: labels on the x axis and one series per measure (or per second-dimension
/// key). `value` is set for KPI queries. Small by construction: top-N caps the label count.
public struct AggregationResult: Sendable, Codable, Equatable {
    public struct Series: Sendable, Codable, Equatable {
        public var name: String
        /// One value per label; `nil` where a group has no valid values (e.g. mean of nothing).
        public var values: [Double?]
    }

    public var labels: [String]
    public var series: [Series]
    /// The single figure of a KPI query (first measure, no grouping).
    public var value: Double?
    /// Rows that passed the filters and had a group key.
    public var rowsAggregated: Int
    /// Rows dropped because a group-by cell was empty (as pandas `groupby` does).
    public var rowsWithoutKey: Int

    enum CodingKeys: String, CodingKey {
        case labels, series, value, rowsAggregated = "rows_aggregated", rowsWithoutKey = "rows_without_key"
    }

    /// Table form for a data table widget: one row per label, first cell the label.
    public var tableRows: [[JSONValue]] {
        labels.indices.map { i in
            [.string(labels[i])] + series.map { s in s.values[i].map(JSONValue.number) ?? .null }
        }
    }
}
