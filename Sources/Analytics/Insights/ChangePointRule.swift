/// Level shifts in each measure's period means.
///
/// A split is reported only when a step explains the series clearly better than a straight
/// line (residual sum of squares at least 20% lower): otherwise a steady trend would be
/// mistaken for a jump. Significance and minimum shift are `ChangePointDetector`'s.
enum ChangePointRule {
    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> [Insight] {
        guard let t = ctx.timeline else { return [] }
        var out: [Insight] = []
        for m in ctx.measures {
            guard let split = ctx.split else {
                if let found = shift(in: ctx.periodMeans[m.name], of: m, subject: DisplayName.of(m.name), t, options) { out.append(found) }
                continue
            }
            // Long format: each series' own level shifts (a dear symbol joining is no jump).
            for s in split.judged(minimumRows: SeriesSplit.minimumRowsForTrend(options)) {
                let one = split.measure(m, series: s)
                guard var found = shift(in: ctx.periodSeries(one), of: one, subject: "\(DisplayName.of(m.name)) of \(split.labels[s])",
                                        t, options) else { continue }
                found.columns.append(split.column)
                found.data["series"] = ["column": .string(split.column), "value": .string(split.labels[s])]
                out.append(found)
            }
        }
        return out
    }

    /// The strongest level shift in one measure's period means, when a step fits clearly better than a line.
    private static func shift(
        in periods: (indices: [Int], values: [Double], counts: [Int])?, of m: InsightContext.Measure, subject name: String,
        _ t: InsightContext.Timeline, _ options: InsightOptions
    ) -> Insight? {
        guard let series = periods, series.values.count >= 2 * options.minimumPeriods else { return nil }
        let y = series.values
        let found = ChangePointDetector.detect(
            y, minimumSegment: options.minimumPeriods / 2 + 2, alpha: options.alpha / 10, maximumCount: 3)
        guard !found.isEmpty, let line = LinearFit(series: y) else { return nil }
        var lineRSS = 0.0
        for (i, v) in y.enumerated() { lineRSS += (v - line.predict(Double(i))) * (v - line.predict(Double(i))) }
        // Step model: the mean of each segment between change points.
        let cuts = [0] + found.map(\.index) + [y.count]
        var stepRSS = 0.0
        for s in 0..<(cuts.count - 1) {
            let seg = y[cuts[s]..<cuts[s + 1]]
            let mean = seg.reduce(0, +) / Double(seg.count)
            for v in seg { stepRSS += (v - mean) * (v - mean) }
        }
        guard stepRSS < 0.8 * lineRSS else { return nil }
        let strongest = found.max { abs($0.meanAfter - $0.meanBefore) < abs($1.meanAfter - $1.meanBefore) }!
        let when = t.labels[series.indices[strongest.index]]
        // Percentages only between two positive levels; across zero they mean nothing.
        let change = strongest.meanBefore > 0 && strongest.meanAfter > 0
            ? (strongest.meanAfter - strongest.meanBefore) / strongest.meanBefore : .nan
        let verb = strongest.meanAfter > strongest.meanBefore ? "jumped" : "dropped"
        let size = change.isNaN ? "by " + NumberFormatting.readable(abs(strongest.meanAfter - strongest.meanBefore))
            : NumberFormatting.percent(abs(change))
        let title = "\(name) \(verb) \(size) around \(when) (\(NumberFormatting.pValue(strongest.pValue)))"
        let description = "The \(t.bucket.rawValue)ly average moved from \(NumberFormatting.readable(strongest.meanBefore)) "
            + "to \(NumberFormatting.readable(strongest.meanAfter)) and stayed there. \(found.count) level shift"
            + (found.count == 1 ? "" : "s") + " found in \(y.count) periods."
        return Insight(
            kind: .changePoint, score: 0.45 + 0.4 * min(1, change.isNaN ? 0.5 : abs(change)) + 0.15 * (1 - stepRSS / lineRSS),
            title: title, description: description, columns: [m.name, t.name],
            data: [
                "bucket": .string(t.bucket.rawValue),
                "change_points": .array(found.map { cp in
                    ["period": .string(t.labels[series.indices[cp.index]]), "mean_before": .number(cp.meanBefore),
                     "mean_after": .number(cp.meanAfter), "p": .number(cp.pValue)]
                }),
            ])
    }
}
