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
        // Independent pieces of work, costliest first: both cores take the next piece as they
        // finish one, which balances them better than two fixed halves. Their results are put
        // together below in one fixed order, whatever finished first.
        // When every measure is complete, the correlation sums (four per pass) are pieces of
        // their own, put together with the sample ranks once all are done.
        let products = ctx.completeMeans.map { CorrelationRule.productPairs($0.complete.count) } ?? []
        let split = ctx.completeMeans.map { $0.complete.count == ctx.measures.count } ?? false
        let productTasks: [RuleTask] = split
            ? stride(from: 0, to: products.count, by: ColumnLanes.width).map { .products($0..<min($0 + ColumnLanes.width, products.count)) }
            : [.correlations]
        let tasks: [RuleTask] = [.concentration, .seasonality] + productTasks
            + ctx.measures.indices.map { .anomalies($0) } + [.trendsAndChangePoints, .dataQuality]
        let outputs = Parallel.map(tasks, parallel: Parallel.worthIt(rows: table.rowCount)) { task -> RuleOutput in
            var out = RuleOutput()
            switch task {
            case .anomalies(let index):
                let (anomalies, counts) = AnomalyRule.evaluate(ctx, options, measure: ctx.measures[index])
                out.insights = anomalies
                if let counts { out.anomalyCounts[ctx.measures[index].name] = counts }
            case .correlations:
                out.pairs = CorrelationRule.pairs(ctx, options)
                out.insights = CorrelationRule.evaluate(out.pairs, options)
            case .products(let range):
                if let (complete, means) = ctx.completeMeans {
                    out.productSums = CorrelationRule.centredProducts(ctx.measures, complete, means, products[range])
                }
            case .concentration:
                out.insights = ConcentrationRule.evaluate(ctx, options)
            case .seasonality:
                out.insights = SeasonalityRule.evaluate(ctx, options)
            case .trendsAndChangePoints:
                out.trends = TrendRule.evaluate(ctx, options)
                out.insights = ChangePointRule.evaluate(ctx, options)
            case .dataQuality:
                if let profile = uploadedProfile ?? ctx.profile { out.insights = DataQualityRule.evaluate(profile, options) }
            }
            return out
        }
        func output(_ task: RuleTask) -> RuleOutput { outputs[tasks.firstIndex(of: task)!] }
        let trends = output(.trendsAndChangePoints).trends
        let pairs: [CorrelationRule.PairResult]
        let correlationInsights: [Insight]
        if split, let (complete, means) = ctx.completeMeans {
            let sums = productTasks.flatMap { output($0).productSums }
            let moments = CorrelationRule.assemble(ctx.measures.count, complete, means, products, sums)
            pairs = CorrelationRule.pairs(ctx, options, moments: moments)
            correlationInsights = CorrelationRule.evaluate(pairs, options)
        } else {
            pairs = output(.correlations).pairs
            correlationInsights = output(.correlations).insights
        }
        var anomalyCounts: [String: JSONValue] = [:]
        var anomalies: [Insight] = []
        for index in ctx.measures.indices {
            let found = output(.anomalies(index))
            anomalies += found.insights
            anomalyCounts.merge(found.anomalyCounts) { a, _ in a }
        }
        // The order the rules have always been collected in (ranking breaks exact ties by it).
        let all = output(.trendsAndChangePoints).insights + output(.seasonality).insights + output(.concentration).insights
            + trends.values.filter(\.significant).map(\.insight)
            + correlationInsights + anomalies + output(.dataQuality).insights

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

    private enum RuleTask: Hashable, Sendable {
        case anomalies(Int)
        case correlations, concentration, seasonality, trendsAndChangePoints, dataQuality
        /// A slice of `CorrelationRule.productPairs`.
        case products(Range<Int>)
    }

    private struct RuleOutput: Sendable {
        var insights: [Insight] = []
        var trends: [String: TrendRule.Finding] = [:]
        var pairs: [CorrelationRule.PairResult] = []
        var productSums: [Double] = []
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
