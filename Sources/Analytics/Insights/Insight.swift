/// One finding about a dataset, ready to show: a sentence with the numbers and the data behind it.
///
/// `score` (0…1) orders insights across kinds; it mixes effect size and certainty so a strong,
/// certain finding outranks a faint or borderline one. Encodes with the contract's keys
/// `kind`, `score`, `title`, `description`, `columns`, `data`.
public struct Insight: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case trend
        case changePoint = "change_point"
        case correlation, anomaly, seasonality, concentration
        case dataQuality = "data_quality"
    }

    public var kind: Kind
    public var score: Double
    public var title: String
    public var description: String
    public var columns: [String]
    public var data: JSONValue

    public init(kind: Kind, score: Double, title: String, description: String, columns: [String], data: JSONValue) {
        self.kind = kind
        self.score = min(1, max(0, score))
        self.title = title
        self.description = description
        self.columns = columns
        self.data = data
    }
}

/// Thresholds that keep insights meaningful; defaults follow common analytic practice.
public struct InsightOptions: Sendable, Codable, Equatable {
    /// At most this many insights per dataset, best first.
    public var maximumInsights = 20
    /// At most this many of any one kind, so twenty anomalies cannot crowd out a trend.
    public var maximumPerKind = 6
    /// Significance level for trends, correlations and change points.
    public var alpha = 0.01
    /// Minimum |r| (Pearson or Spearman) for a correlation insight.
    public var minimumCorrelation = 0.7
    /// Minimum fitted change, in percent of the starting level, for a trend to be worth saying.
    public var minimumTrendPercent = 5.0
    /// Fewer valid rows than this and a column gets no statistical insight at all.
    public var minimumRows = 30
    /// Fewer time periods than this and no trend, change point or seasonality is reported.
    public var minimumPeriods = 8
    /// Spearman ranks are computed on an evenly spaced sample of at most this many rows; its
    /// sampling error (≈ 1/√n) is far below the 0.7 threshold's margin.
    public var rankSampleSize = 20_000

    public init() {}

    enum CodingKeys: String, CodingKey {
        case maximumInsights = "maximum_insights", maximumPerKind = "maximum_per_kind", alpha
        case minimumCorrelation = "minimum_correlation", minimumTrendPercent = "minimum_trend_percent"
        case minimumRows = "minimum_rows", minimumPeriods = "minimum_periods", rankSampleSize = "rank_sample_size"
    }
}
