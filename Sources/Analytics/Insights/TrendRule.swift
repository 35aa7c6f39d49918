import Foundation

/// Trend of each measure over the timeline.
///
/// The slope, R² and percent change come from least squares on the rows themselves (x in
/// fractional days), which is what analysts reproduce in a notebook. Significance needs two
/// agreeing tests: the slope t-test on rows *and* Mann-Kendall on the period means, because the
/// row-level test alone calls any drift significant once there are a million rows and
/// autocorrelated periods inflate it further. The change must also be material
/// (`minimumTrendPercent`). Percent change is the fitted value at the last date over the fitted
/// value at the first; when the fitted line starts or ends at or below zero there is no
/// percentage. A quantity that is never negative then grew fast from a small base (or fell close
/// to nothing), and its change counts as material against the line's middle level; a measure
/// that crosses zero (a monthly change, a profit) has no level to compare with and is not reported.
enum TrendRule {
    struct Finding {
        var insight: Insight
        var significant: Bool
    }

    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> [String: Finding] {
        guard let t = ctx.timeline else { return [:] }
        var out: [String: Finding] = [:]
        for m in ctx.measures {
            guard let split = ctx.split else {
                out[m.name] = finding(m, fit: ctx.fits[m.name], periods: ctx.periodMeans[m.name], span: (t.firstDay, t.lastDay),
                                      subject: DisplayName.of(m.name), minimumRows: options.minimumRows, t, options)
                continue
            }
            // Long format: one trend per series, each over its own dates.
            let minimumRows = SeriesSplit.minimumRowsForTrend(options)
            for s in split.judged(minimumRows: minimumRows) {
                let one = split.measure(m, series: s)
                guard let span = SeriesSplit.span(of: one, timeline: t),
                      var found = finding(one, fit: nil, periods: ctx.periodSeries(one), span: span,
                                          subject: "\(DisplayName.of(m.name)) of \(split.labels[s])", minimumRows: minimumRows,
                                          t, options) else { continue }
                found.insight.columns.append(split.column)
                found.insight.data["series"] = ["column": .string(split.column), "value": .string(split.labels[s])]
                out["\(m.name)|\(split.labels[s])"] = found
            }
        }
        return out
    }

    /// The trend of one measure over `span` (fractional days), its period means given, and its
    /// line when already fitted from `span.first` (the context's shared fits of whole measures).
    private static func finding(
        _ m: InsightContext.Measure, fit shared: LinearFit?, periods: (indices: [Int], values: [Double], counts: [Int])?,
        span: (first: Double, last: Double), subject name: String, minimumRows: Int, _ t: InsightContext.Timeline,
        _ options: InsightOptions
    ) -> Finding? {
        let fitted = shared ?? t.days.withUnsafeBufferPointer { x in
            m.values.withUnsafeBufferPointer { y in LinearFit(skippingNaN: x, y, xOffset: span.first) }
        }
        guard let fit = fitted, fit.count >= minimumRows,
              let series = periods, series.values.count >= options.minimumPeriods,
              let mk = MannKendall(series.values) else { return nil }
        let length = span.last - span.first
        let start = fit.predict(0), end = fit.predict(length)
        // Percentages only between two positive levels: a line fitted below zero at either end
        // ("fell 141%") says nothing a reader can use.
        let percent = start > 0 && end > 0 ? (end - start) / start * 100 : .nan
        let middle = abs(start + end) / 2
        let material = percent.isNaN
            ? middle > 0 && abs(end - start) / middle * 100 >= options.minimumTrendPercent && neverNegative(m)
            : abs(percent) >= options.minimumTrendPercent
        let significant = fit.pValue < options.alpha && mk.pValue < options.alpha && material
            && (fit.slope > 0) == (mk.s > 0)
        let firstDate = CivilDate(days: Int(span.first.rounded(.down)))
        let lastDate = CivilDate(days: Int(span.last.rounded(.down)))
        let verb = fit.slope > 0 ? "rose" : "fell"
        let p = max(fit.pValue, mk.pValue)
        let title = percent.isNaN
            ? "\(name) \(verb) by \(NumberFormatting.readable(abs(end - start))) from \(firstDate.monthYear) to \(lastDate.monthYear) (\(NumberFormatting.pValue(p)))"
            : "\(name) \(verb) \(NumberFormatting.percent(abs(percent) / 100)) from \(firstDate.monthYear) to \(lastDate.monthYear) (\(NumberFormatting.pValue(p)))"
        let description = "The fitted line goes from \(NumberFormatting.readable(start)) to \(NumberFormatting.readable(end)) "
            + "(\(NumberFormatting.compact(fit.slope)) per day, R² = \(String(format: "%.3f", fit.rSquared)), "
            + "\(NumberFormatting.grouped(Int64(fit.count))) rows). Mann-Kendall on \(series.values.count) "
            + "\(t.bucket.rawValue)ly means agrees (\(NumberFormatting.pValue(mk.pValue)), tau = \(String(format: "%.2f", mk.tau)))."
        let certainty = min(1, -log10(max(p, 1e-300)) / 10)
        let effect = percent.isNaN ? 0.3 : min(1, abs(percent) / 50)
        let insight = Insight(
            kind: .trend, score: 0.35 + 0.4 * effect + 0.25 * certainty, title: title, description: description,
            columns: [m.name, t.name],
            data: [
                "slope_per_day": .number(fit.slope), "intercept": .number(fit.intercept),
                "pct_change": percent.isNaN ? .null : .number(percent), "r2": .number(fit.rSquared),
                "p": .number(fit.pValue), "n": .int(fit.count), "start_value": .number(start), "end_value": .number(end),
                "start": .string(firstDate.isoString), "end": .string(lastDate.isoString),
                "mann_kendall_p": .number(mk.pValue), "mann_kendall_tau": .number(mk.tau),
                "periods": .int(series.values.count), "bucket": .string(t.bucket.rawValue),
                "significant": .bool(significant),
            ])
        return Finding(insight: insight, significant: significant)
    }

    private static func neverNegative(_ m: InsightContext.Measure) -> Bool {
        !m.values.contains { $0 < 0 }
    }
}
