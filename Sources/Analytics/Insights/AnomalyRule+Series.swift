extension AnomalyRule {
    /// Long format: each value judged against its own series' median and MAD, so that the dearest
    /// symbol's prices are not all "unusual" next to the cheap ones, and a series that climbs
    /// steadily is judged around its own trend (`explainedByTrend`).
    static func withinSeries(
        _ ctx: InsightContext, _ m: InsightContext.Measure, _ split: SeriesSplit, _ options: InsightOptions
    ) -> (insight: Insight?, counts: JSONValue) {
        var flaggedTotal = 0, fencedTotal = 0
        var reported: [(label: String, count: Int)] = []
        var worst: (z: Double, value: Double, label: String)?
        for s in split.judged(minimumRows: options.minimumRows) {
            let one = split.measure(m, series: s)
            let valid = one.values.filter { !$0.isNaN }
            guard let summary = RobustSummary(valid) else { continue }
            var flagged = 0
            var extreme = 0.0, extremeValue = 0.0
            for v in valid {
                let rz = abs(summary.robustZ(v))
                if rz > RobustSummary.robustZThreshold { flagged += 1 }
                if v < summary.lowerFence || v > summary.upperFence { fencedTotal += 1 }
                if rz > extreme {
                    extreme = rz
                    extremeValue = v
                }
            }
            flaggedTotal += flagged
            guard flagged > 0, implausible(extreme, n: valid.count) else { continue }
            // The series' own line (the context's shared fits are of whole measures).
            let line = ctx.timeline.flatMap { t in
                t.days.withUnsafeBufferPointer { x in one.values.withUnsafeBufferPointer { y in LinearFit(skippingNaN: x, y, xOffset: t.firstDay) } }
            }
            guard line == nil || !explainedByTrend(ctx, one, fit: line) else { continue }
            reported.append((split.labels[s], flagged))
            if extreme > worst?.z ?? 0 { worst = (extreme, extremeValue, split.labels[s]) }
        }
        let counts: JSONValue = ["robust_z": .int(flaggedTotal), "iqr": .int(fencedTotal), "series_column": .string(split.column)]
        guard let worst, !reported.isEmpty else { return (nil, counts) }
        let total = reported.reduce(0) { $0 + $1.count }
        let series = DisplayName.lower(split.column)
        let most = reported.sorted { $0.count != $1.count ? $0.count > $1.count : $0.label < $1.label }
        let listed = most.prefix(3).map { "\($0.label) \(NumberFormatting.grouped(Int64($0.count)))" }.joined(separator: ", ")
        let insight = Insight(
            kind: .anomaly, score: 0.35 + 0.35 * min(1, worst.z / 20) + 0.3 * min(1, Double(total) / Double(max(1, m.validCount)) * 50),
            title: "\(DisplayName.of(m.name)) has \(NumberFormatting.grouped(Int64(total))) unusual value\(total == 1 ? "" : "s") "
                + "within its \(series) series (robust z > 3.5)",
            description: "Each \(series) is judged against its own median and MAD: \(listed). The most extreme is "
                + "\(NumberFormatting.readable(worst.value)) in \(worst.label) (z = \(String(format: "%.1f", worst.z))). "
                + "They are flagged, not removed.",
            columns: [m.name, split.column],
            data: ["robust_z": .int(total), "series_column": .string(split.column), "max_abs_z": .number(worst.z),
                   "series": .array(most.map { ["value": .string($0.label), "count": .int($0.count)] })])
        return (insight, counts)
    }
}
