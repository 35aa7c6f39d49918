import Foundation

/// Trend of each measure over the timeline.
///
/// The slope, R² and percent change come from least squares on the rows themselves (x in
/// fractional days), which is what analysts reproduce in a notebook. Significance needs two
/// agreeing tests: the slope t-test on rows *and* Mann-Kendall on the period means, because the
/// row-level test alone calls any drift significant once there are a million rows and
/// autocorrelated periods inflate it further. The change must also be material
/// (`minimumTrendPercent`). Percent change is the fitted value at the last date over the fitted
/// value at the first.
enum TrendRule {
    struct Finding {
        var insight: Insight
        var significant: Bool
    }

    static func evaluate(_ ctx: InsightContext, _ options: InsightOptions) -> [String: Finding] {
        guard let t = ctx.timeline else { return [:] }
        var out: [String: Finding] = [:]
        for m in ctx.measures {
            guard let fit = ctx.fits[m.name], fit.count >= options.minimumRows,
                  let series = ctx.periodMeans[m.name], series.values.count >= options.minimumPeriods,
                  let mk = MannKendall(series.values) else { continue }
            let span = t.lastDay - t.firstDay
            let start = fit.predict(0), end = fit.predict(span)
            let percent = start > 0 ? (end - start) / start * 100 : .nan
            let material = percent.isNaN ? false : abs(percent) >= options.minimumTrendPercent
            let significant = fit.pValue < options.alpha && mk.pValue < options.alpha && material
                && (fit.slope > 0) == (mk.s > 0)
            let firstLabel = CivilDate(days: Int(t.firstDay.rounded(.down))).monthYear
            let lastLabel = CivilDate(days: Int(t.lastDay.rounded(.down))).monthYear
            let name = DisplayName.of(m.name)
            let verb = fit.slope > 0 ? "rose" : "fell"
            let p = max(fit.pValue, mk.pValue)
            let title = percent.isNaN
                ? "\(name) changed by \(NumberFormatting.readable(end - start)) from \(firstLabel) to \(lastLabel) (\(NumberFormatting.pValue(p)))"
                : "\(name) \(verb) \(NumberFormatting.percent(abs(percent) / 100)) from \(firstLabel) to \(lastLabel) (\(NumberFormatting.pValue(p)))"
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
                    "start": .string(CivilDate(days: Int(t.firstDay.rounded(.down))).isoString),
                    "end": .string(CivilDate(days: Int(t.lastDay.rounded(.down))).isoString),
                    "mann_kendall_p": .number(mk.pValue), "mann_kendall_tau": .number(mk.tau),
                    "periods": .int(series.values.count), "bucket": .string(t.bucket.rawValue),
                    "significant": .bool(significant),
                ])
            out[m.name] = Finding(insight: insight, significant: significant)
        }
        return out
    }
}
