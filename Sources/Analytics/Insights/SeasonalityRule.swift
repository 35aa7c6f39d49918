import Foundation

/// Repeating cycles in each measure's totals: weekly in daily data, yearly in weekly or monthly data.
///
/// Uses daily totals when the timeline is daily or weekly (a weekly cycle needs daily points),
/// removes the linear trend, and asks `Autocorrelation.seasonality` for a cycle at least three
/// periods long in the data.
enum SeasonalityRule {
    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> [Insight] {
        guard let t = ctx.timeline else { return [] }
        var out: [Insight] = []
        for m in ctx.measures {
            let (series, unit, candidates) = seasonalSeries(ctx, t, m)
            guard series.count >= 3 * options.minimumPeriods, let line = LinearFit(series: series) else { continue }
            let detrended = series.enumerated().map { $1 - line.predict(Double($0)) }
            guard let season = Autocorrelation.seasonality(detrended, candidates: candidates.map(\.lag)) else { continue }
            let cycle = candidates.first { $0.lag == season.period }!.name
            let name = DisplayName.of(m.name)
            out.append(Insight(
                kind: .seasonality, score: 0.3 + 0.6 * min(1, season.autocorrelation),
                title: "\(name) follows a \(cycle) cycle",
                description: "After removing the trend, \(unit) totals correlate at \(String(format: "%.2f", season.autocorrelation)) "
                    + "with the value \(season.period) \(unit)s earlier, over \(season.cycles) full cycles.",
                columns: [m.name, t.name],
                data: ["period": .int(season.period), "unit": .string(unit),
                       "autocorrelation": .number(season.autocorrelation), "cycles": .int(season.cycles)]))
        }
        return out
    }

    private static func seasonalSeries(
        _ ctx: InsightContext, _ t: InsightContext.Timeline, _ m: InsightContext.Measure
    ) -> ([Double], String, [(lag: Int, name: String)]) {
        switch t.bucket {
        case .day, .week:
            // Daily totals over the whole span (days without rows count as 0).
            let count = Int(t.lastDay.rounded(.down)) - Int(t.firstDay.rounded(.down)) + 1
            var totals = [Double](repeating: 0, count: count)
            ctx.dayIndex.withUnsafeBufferPointer { d in
                m.values.withUnsafeBufferPointer { v in
                    totals.withUnsafeMutableBufferPointer { out in
                        for i in 0..<v.count where d[i] >= 0 && !v[i].isNaN { out[Int(d[i])] += v[i] }
                    }
                }
            }
            return (totals, "day", [(7, "weekly"), (365, "yearly")])
        case .month:
            let s = ctx.periodSeries(m, sum: true)?.values ?? []
            return (s, "month", [(12, "yearly"), (3, "quarterly")])
        case .quarter, .year:
            return ([], "", [])
        }
    }
}
