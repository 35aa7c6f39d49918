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
        let daily = dailyTotals(ctx, t)
        for (index, m) in ctx.measures.enumerated() {
            let (series, unit, candidates) = seasonalSeries(ctx, t, m, daily: daily.isEmpty ? nil : daily[index])
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

    /// Daily totals of every measure over the whole span when the timeline is daily or weekly
    /// (days without rows count as 0), from one pass over the rows per four measures; empty otherwise.
    private static func dailyTotals(_ ctx: InsightContext, _ t: InsightContext.Timeline) -> [[Double]] {
        guard t.bucket == .day || t.bucket == .week else { return [] }
        let count = Int(t.lastDay.rounded(.down)) - Int(t.firstDay.rounded(.down)) + 1
        return ctx.dayIndex.withUnsafeBufferPointer { d in
            ColumnLanes.withBuffers(ctx.measures.map(\.values)) { columns in
                let rows = min(d.count, columns.map(\.count).min() ?? 0)
                return ColumnLanes.keyedSums(keys: UnsafeBufferPointer(rebasing: d.prefix(rows)), groups: count, columns, excluding: [])
                    .map(\.sums)
            }
        }
    }

    private static func seasonalSeries(
        _ ctx: InsightContext, _ t: InsightContext.Timeline, _ m: InsightContext.Measure, daily: [Double]?
    ) -> ([Double], String, [(lag: Int, name: String)]) {
        switch t.bucket {
        case .day, .week:
            return (daily ?? [], "day", [(7, "weekly"), (365, "yearly")])
        case .month:
            let s = ctx.periodSeries(m, sum: true)?.values ?? []
            return (s, "month", [(12, "yearly"), (3, "quarterly")])
        case .quarter, .year:
            return ([], "", [])
        }
    }
}
