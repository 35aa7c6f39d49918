/// Finds, scores and ranks the insights of a table.
///
/// Rules run independently (trends, change points, correlations, anomalies, seasonality,
/// concentration, data quality); the results are ranked by score, capped per kind and overall,
/// and ties broken by title so the output is deterministic. Every rule has minimum sample sizes
/// so small tables yield nothing rather than noise. Pass the `DatasetProfile` when one was
/// already built (the upload pipeline has it) to avoid recounting distinct values.
public struct InsightDetector: Sendable {
    public var options: InsightOptions

    public init(options: InsightOptions = InsightOptions()) {
        self.options = options
    }

    /// Everything computed along the way, for callers that check numbers (tests, the benchmark).
    public struct Analysis: Sendable {
        public var insights: [Insight]
        /// Per measure: slope_per_day, pct_change, r2, p, n, significant, …
        public var trends: [String: JSONValue]
        /// Per pair "a|b": pearson_r, spearman_r and their p-values.
        public var correlations: [String: JSONValue]
        /// Per measure: robust_z and iqr counts, median, mad, q1, q3.
        public var anomalies: [String: JSONValue]
    }

    public func detect(_ table: Table, profile: DatasetProfile? = nil, uploadedProfile: DatasetProfile? = nil) -> [Insight] {
        analyze(table, profile: profile, uploadedProfile: uploadedProfile).insights
    }

    /// - Parameters:
    ///   - profile: the profile of `table` itself, when already built (saves recomputing it).
    ///   - uploadedProfile: the profile of the data as uploaded, before cleaning. Data-quality
    ///     alerts use it when given, because cleaning fills the gaps they are about.
    public func analyze(_ table: Table, profile: DatasetProfile? = nil, uploadedProfile: DatasetProfile? = nil) -> Analysis {
        let ctx = InsightContext(table: table, profile: profile ?? Profiler().profile(table), options: options)
        let options = self.options
        // Two independent halves of the rules, run side by side on large tables.
        let halves = Parallel.map([0, 1], parallel: Parallel.worthIt(rows: table.rowCount)) { half -> RuleOutput in
            var out = RuleOutput()
            if half == 0 {
                out.trends = TrendRule.evaluate(ctx, options)
                out.insights += ChangePointRule.evaluate(ctx, options)
                out.insights += SeasonalityRule.evaluate(ctx, options)
                out.insights += ConcentrationRule.evaluate(ctx, options)
            } else {
                out.pairs = CorrelationRule.pairs(ctx, options)
                out.insights += CorrelationRule.evaluate(out.pairs, options)
                let (anomalies, counts) = AnomalyRule.evaluate(ctx, options)
                out.insights += anomalies
                out.anomalyCounts = counts
                if let profile = uploadedProfile ?? ctx.profile { out.insights += DataQualityRule.evaluate(profile, options) }
            }
            return out
        }
        let trends = halves[0].trends
        let pairs = halves[1].pairs
        let anomalyCounts = halves[1].anomalyCounts
        let all = halves[0].insights + trends.values.filter(\.significant).map(\.insight) + halves[1].insights

        var correlations: [String: JSONValue] = [:]
        for p in pairs {
            correlations["\(p.a)|\(p.b)"] = [
                "pearson_r": p.pearson.map { .number($0.r) } ?? .null, "pearson_p": p.pearson.map { .number($0.pValue) } ?? .null,
                "spearman_r": p.spearman.map { .number($0.r) } ?? .null, "spearman_p": p.spearman.map { .number($0.pValue) } ?? .null,
            ]
        }
        return Analysis(
            insights: rank(all), trends: trends.mapValues(\.insight.data), correlations: correlations,
            anomalies: anomalyCounts)
    }

    private struct RuleOutput: Sendable {
        var insights: [Insight] = []
        var trends: [String: TrendRule.Finding] = [:]
        var pairs: [CorrelationRule.PairResult] = []
        var anomalyCounts: [String: JSONValue] = [:]
    }

    func rank(_ insights: [Insight]) -> [Insight] {
        let sorted = insights.sorted { $0.score != $1.score ? $0.score > $1.score : $0.title < $1.title }
        var perKind: [Insight.Kind: Int] = [:]
        var out: [Insight] = []
        for insight in sorted where out.count < options.maximumInsights {
            let used = perKind[insight.kind, default: 0]
            guard used < options.maximumPerKind else { continue }
            perKind[insight.kind] = used + 1
            out.append(insight)
        }
        return out
    }
}
