import Foundation

/// Unusual values, in each measure and in each measure's per-period totals.
///
/// Values are flagged by robust z (> 3.5 on median/MAD) and counted against Tukey's fences too.
/// An anomaly insight is only raised when the most extreme value would be implausible even for
/// a Gaussian of the same robust spread: `n · P(|Z| ≥ z_max) < 0.01`. That keeps pure noise (whose
/// largest |z| grows slowly with n) silent while typo-sized values (z > 10) always surface.
enum AnomalyRule {
    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> (insights: [Insight], counts: [String: JSONValue]) {
        var insights: [Insight] = []
        var counts: [String: JSONValue] = [:]
        for m in ctx.measures {
            let found = evaluate(ctx, options, measure: m)
            insights += found.insights
            if let c = found.counts { counts[m.name] = c }
        }
        return (insights, counts)
    }

    /// One measure's share of `evaluate`: its insights and its counts (`nil` when it has no
    /// values). Measures are independent, so the detector spreads them over the cores.
    static func evaluate(
        _ ctx: InsightContext, _ options: InsightOptions, measure m: InsightContext.Measure
    ) -> (insights: [Insight], counts: JSONValue?) {
        if let split = ctx.split {
            let (insight, counts) = withinSeries(ctx, m, split, options)
            return (insight.map { [$0] } ?? [], counts)
        }
        var insights: [Insight] = []
        let valid = m.validCount == m.values.count ? m.values : m.values.filter { !$0.isNaN }
        // The profile already holds median, quartiles and MAD for this very table.
        guard let s = ctx.profile?.column(named: m.name)?.robustSummary ?? RobustSummary(valid) else { return ([], nil) }
        let lower = s.lowerFence, upper = s.upperFence
        let (z, iqr, extreme, extremeValue) = scan(valid, s)
        let counts: JSONValue = [
            "robust_z": .int(z), "iqr": .int(iqr), "median": .number(s.median), "mad": .number(s.mad),
            "q1": .number(s.q1), "q3": .number(s.q3),
        ]
        guard z > 0, implausible(extreme, n: valid.count), !explainedByTrend(ctx, m) else { return (insights, counts) }
        let name = DisplayName.of(m.name)
        let share = Double(z) / Double(valid.count)
        insights.append(Insight(
            kind: .anomaly, score: 0.35 + 0.35 * min(1, extreme / 20) + 0.3 * min(1, share * 50),
            title: "\(name) has \(NumberFormatting.grouped(Int64(z))) unusual value\(z == 1 ? "" : "s") (robust z > 3.5)",
            description: "Median \(NumberFormatting.readable(s.median)), MAD \(NumberFormatting.readable(s.mad)); "
                + "the most extreme is \(NumberFormatting.readable(extremeValue)) (z = \(String(format: "%.1f", extreme))). "
                + "Tukey's fences (\(NumberFormatting.readable(lower)) to \(NumberFormatting.readable(upper))) flag "
                + "\(NumberFormatting.grouped(Int64(iqr))). They are flagged, not removed.",
            columns: [m.name],
            data: ["robust_z": .int(z), "iqr": .int(iqr), "median": .number(s.median), "mad": .number(s.mad),
                   "q1": .number(s.q1), "q3": .number(s.q3), "lower_fence": .number(lower),
                   "upper_fence": .number(upper), "max_abs_z": .number(extreme), "n": .int(valid.count)]))
        if let series = timeSeriesAnomaly(ctx, m, s, options) { insights.append(series) }
        return (insights, counts)
    }

    /// Robust-z outliers, values outside Tukey's fences, the largest |robust z| and the first value
    /// with it (row order). The last two only count when there are outliers (z > 0), and are then
    /// exactly what a division per value would find: the robust z is monotonic in the value, so
    /// outliers are the values outside `inlierBounds`, the largest |z| is at the smallest or the
    /// largest value, and the value that has it is among the outliers.
    static func scan(_ valid: [Double], _ s: RobustSummary) -> (z: Int, iqr: Int, extreme: Double, extremeValue: Double) {
        let lower = s.lowerFence, upper = s.upperFence
        guard let (low, high) = s.inlierBounds, s.median.isFinite, s.zScale.isFinite else { return scanByDivision(valid, s) }
        // Four values at a time: counts, minimum and maximum do not depend on the order of the
        // values, and four running minima and maxima do not wait on each other.
        typealias Lanes = SIMD4<Double>
        var zs = SIMD4<Int64>(repeating: 0), iqrs = SIMD4<Int64>(repeating: 0)
        var minima = Lanes(repeating: .infinity), maxima = Lanes(repeating: -.infinity)
        let lowLanes = Lanes(repeating: low), highLanes = Lanes(repeating: high)
        let lowerLanes = Lanes(repeating: lower), upperLanes = Lanes(repeating: upper)
        let one = SIMD4<Int64>(repeating: 1), zero = SIMD4<Int64>(repeating: 0)
        valid.withUnsafeBufferPointer { values in
            var i = 0
            while i + 4 <= values.count {
                let v = Lanes(values[i], values[i + 1], values[i + 2], values[i + 3])
                zs &+= zero.replacing(with: one, where: (v .< lowLanes) .| (v .> highLanes))
                iqrs &+= zero.replacing(with: one, where: (v .< lowerLanes) .| (v .> upperLanes))
                minima = minima.replacing(with: v, where: v .< minima)
                maxima = maxima.replacing(with: v, where: v .> maxima)
                i += 4
            }
            while i < values.count {
                let v = Lanes(repeating: values[i])
                let first: SIMDMask<SIMD4<Int64>> = [true, false, false, false]
                zs &+= zero.replacing(with: one, where: first .& ((v .< lowLanes) .| (v .> highLanes)))
                iqrs &+= zero.replacing(with: one, where: first .& ((v .< lowerLanes) .| (v .> upperLanes)))
                minima = minima.replacing(with: v, where: v .< minima)
                maxima = maxima.replacing(with: v, where: v .> maxima)
                i += 1
            }
        }
        let z = Int(zs.wrappedSum()), iqr = Int(iqrs.wrappedSum())
        let smallest = minima.min(), largest = maxima.max()
        guard z > 0 else { return (0, iqr, 0, 0) }
        let extreme = max(abs(s.robustZ(smallest)), abs(s.robustZ(largest)))
        let first = valid.first { ($0 < low || $0 > high) && abs(s.robustZ($0)) == extreme }
        return (z, iqr, extreme, first ?? 0)
    }

    /// `scan` the straightforward way, one robust z per value (also the tests' reference).
    static func scanByDivision(_ valid: [Double], _ s: RobustSummary) -> (z: Int, iqr: Int, extreme: Double, extremeValue: Double) {
        var z = 0, iqr = 0
        var extreme = 0.0, extremeValue = 0.0
        let lower = s.lowerFence, upper = s.upperFence
        for v in valid {
            let rz = abs(s.robustZ(v))
            if rz > RobustSummary.robustZThreshold { z += 1 }
            if v < lower || v > upper { iqr += 1 }
            if rz > extreme {
                extreme = rz
                extremeValue = v
            }
        }
        return (z, iqr, extreme, extremeValue)
    }

    /// Whether the values stop looking unusual once a linear trend over time is removed: a
    /// series that climbed steadily has "extreme" early and late values that are no anomaly.
    /// `fit`: the measure's line from the timeline's first day; the context's shared fit when nil.
    static func explainedByTrend(_ ctx: InsightContext, _ m: InsightContext.Measure, fit given: LinearFit? = nil) -> Bool {
        guard let t = ctx.timeline, let fit = given ?? ctx.fits[m.name], fit.pValue < 0.01 else { return false }
        // Residual centre and spread from an evenly spaced sample (plenty for a median and MAD),
        // then the most extreme residual over every row.
        let step = max(1, m.values.count / 50_000)
        var sample: [Double] = []
        for i in stride(from: 0, to: m.values.count, by: step) where !m.values[i].isNaN && !t.days[i].isNaN {
            sample.append(m.values[i] - fit.predict(t.days[i] - t.firstDay))
        }
        guard let s = RobustSummary(sample) else { return false }
        let worst = worstResidualZ(ctx, m, fit, s)
        return !(worst > RobustSummary.robustZThreshold && implausible(worst, n: fit.count))
    }

    /// The largest |robust z| of the residuals from `fit` over every row. The robust z is
    /// monotonic in the residual (every rounded step keeps order), so its largest magnitude is at
    /// the smallest or the largest residual: one pass for those two instead of a division per
    /// row. Infinite residuals (or centre or scale) take the row-by-row loop.
    static func worstResidualZ(_ ctx: InsightContext, _ m: InsightContext.Measure, _ fit: LinearFit, _ s: RobustSummary) -> Double {
        guard let t = ctx.timeline else { return 0 }
        // Four rows at a time, each lane computing `v − predict(day − first)` as the scalar code
        // does (rows with an empty value or date leave the running extremes alone).
        typealias Lanes = SIMD4<Double>
        var lows = Lanes(repeating: .infinity), highs = Lanes(repeating: -.infinity)
        let intercept = Lanes(repeating: fit.intercept), slope = Lanes(repeating: fit.slope), first = Lanes(repeating: t.firstDay)
        m.values.withUnsafeBufferPointer { v in
            t.days.withUnsafeBufferPointer { d in
                let n = min(v.count, d.count)
                var i = 0
                while i + 4 <= n {
                    let y = Lanes(v[i], v[i + 1], v[i + 2], v[i + 3]), x = Lanes(d[i], d[i + 1], d[i + 2], d[i + 3])
                    let r = y - (intercept + slope * (x - first))
                    let filled = (y .== y) .& (x .== x)
                    lows = lows.replacing(with: r, where: filled .& (r .< lows))
                    highs = highs.replacing(with: r, where: filled .& (r .> highs))
                    i += 4
                }
                for j in i..<n where !v[j].isNaN && !d[j].isNaN {
                    let r = Lanes(repeating: v[j] - fit.predict(d[j] - t.firstDay))
                    lows = lows.replacing(with: r, where: r .< lows)
                    highs = highs.replacing(with: r, where: r .> highs)
                }
            }
        }
        let low = lows.min(), high = highs.max()
        guard low.isFinite && high.isFinite && s.median.isFinite && s.zScale.isFinite else {
            return worstResidualZByDivision(ctx, m, fit, s)
        }
        return max(max(0, abs(s.robustZ(low))), abs(s.robustZ(high)))
    }

    /// The largest |robust z| of the residuals, one division per row (the tests' reference).
    static func worstResidualZByDivision(_ ctx: InsightContext, _ m: InsightContext.Measure, _ fit: LinearFit, _ s: RobustSummary) -> Double {
        guard let t = ctx.timeline else { return 0 }
        var worst = 0.0
        for i in 0..<m.values.count where !m.values[i].isNaN && !t.days[i].isNaN {
            worst = max(worst, abs(s.robustZ(m.values[i] - fit.predict(t.days[i] - t.firstDay))))
        }
        return worst
    }

    /// Whether the largest |z| is unlikely for `n` Gaussian draws (expected count < 0.01).
    static func implausible(_ z: Double, n: Int) -> Bool {
        Double(n) * erfc(z / 2.0.squareRoot()) < 0.01
    }

    /// Periods whose mean departs from the trend line by robust z > 3.5, with the same
    /// plausibility guard as single values. Means (not totals) so partial periods at the ends of
    /// the range and measures that do not add up (prices, ages) are judged fairly; values already
    /// flagged individually are left out, so one typo does not also make its week "unusual".
    private static func timeSeriesAnomaly(
        _ ctx: InsightContext, _ m: InsightContext.Measure, _ values: RobustSummary, _ options: InsightOptions
    ) -> Insight? {
        guard let t = ctx.timeline,
              let series = ctx.profile?.column(named: m.name)?.robustSummary == values
                ? ctx.outlierFreePeriodMeans[m.name] ?? ctx.periodSeries(m, minimumRows: 5, excludingOutliersOf: values)
                : ctx.periodSeries(m, minimumRows: 5, excludingOutliersOf: values),
              series.values.count >= 2 * options.minimumPeriods,
              let line = LinearFit(x: series.indices.map(Double.init), y: series.values) else { return nil }
        // Periods with under half the typical number of rows (a partial first or last week) have
        // noisier means; they are not judged.
        let typical = Quantiles.median(series.counts.map(Double.init)) ?? 0
        let judged = series.counts.map { Double($0) >= typical / 2 }
        let residuals = zip(series.indices, series.values).map { $1 - line.predict(Double($0)) }
        guard let s = RobustSummary(residuals), s.zScale > 0 else { return nil }
        let flagged = residuals.indices.filter { judged[$0] && s.isRobustZOutlier(residuals[$0]) }
        guard let worst = flagged.max(by: { abs(s.robustZ(residuals[$0])) < abs(s.robustZ(residuals[$1])) }),
              implausible(abs(s.robustZ(residuals[worst])), n: residuals.count) else { return nil }
        let label = t.labels[series.indices[worst]]
        let expected = line.predict(Double(series.indices[worst]))
        return Insight(
            kind: .anomaly, score: 0.4 + 0.4 * min(1, abs(s.robustZ(residuals[worst])) / 20),
            title: "Average \(DisplayName.lower(m.name)) was unusual in \(flagged.count) \(t.bucket.rawValue)\(flagged.count == 1 ? "" : "s"), most of all \(label)",
            description: "\(label): \(NumberFormatting.readable(series.values[worst])) against about "
                + "\(NumberFormatting.readable(expected)) expected from the trend (robust z = "
                + "\(String(format: "%.1f", s.robustZ(residuals[worst])))).",
            columns: [m.name, t.name],
            data: ["bucket": .string(t.bucket.rawValue),
                   "periods": .array(flagged.prefix(20).map { i in
                       ["period": .string(t.labels[series.indices[i]]), "mean": .number(series.values[i]),
                        "robust_z": .number(s.robustZ(residuals[i]))]
                   }),
                   "count": .int(flagged.count)])
    }
}
