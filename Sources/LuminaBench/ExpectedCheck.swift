import Analytics
import Foundation

/// Compares a run with an entry of expected_detections.json: counts exactly, floats with a
/// tolerance (the reference rounds to 4–6 significant digits).
struct ExpectedCheck {
    struct Line {
        var name: String
        var expected: String
        var actual: String
        var ok: Bool
    }

    private(set) var lines: [Line] = []
    var passed: Bool { lines.allSatisfy(\.ok) }

    static func typeName(_ t: ColumnType) -> String {
        switch t {
        case .integer: return "int"
        case .boolean: return "bool"
        default: return t.rawValue
        }
    }

    mutating func exact(_ name: String, _ expected: Any?, _ actual: Int?) {
        let e = (expected as? NSNumber)?.intValue
        lines.append(Line(name: name, expected: e.map(String.init) ?? "?", actual: actual.map(String.init) ?? "—", ok: e != nil && e == actual))
    }

    mutating func close(_ name: String, _ expected: Any?, _ actual: Double?, tolerance: Double) {
        let e = (expected as? NSNumber)?.doubleValue
        let ok: Bool
        if let e, let actual { ok = abs(e - actual) <= tolerance } else { ok = false }
        lines.append(Line(name: name, expected: e.map { "\($0)" } ?? "?", actual: actual.map { String(format: "%.6g", $0) } ?? "—", ok: ok))
    }

    mutating func same(_ name: String, _ expected: String?, _ actual: String?) {
        lines.append(Line(name: name, expected: expected ?? "?", actual: actual ?? "—", ok: expected != nil && expected == actual))
    }

    /// Checks every key of `expected` (the "expected" object of one file) against `outcome`.
    mutating func check(_ expected: [String: Any], _ o: BenchPipeline.Outcome) {
        let report = o.cleaning.report
        exact("rows_after_dedup", expected["rows_after_dedup"], report.rowsAfter)
        exact("duplicates_removed", expected["duplicates_removed"], report.duplicatesRemoved)
        for (column, type) in (expected["types_after_cleaning"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) {
            var actual = o.cleaning.table.column(named: column).map { Self.typeName($0.type) }
            // pandas has no date-only type: its "datetime" covers our date (no time of day) too.
            if type == "datetime" && actual == "date" { actual = "datetime" }
            same("type \(column)", type, actual)
        }
        for (column, count) in (expected["imputed"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            exact("imputed \(column)", count, report.imputed[column])
        }
        let normalized = expected["normalized_pandas"] as? [String: Any] ?? [:]
        for column in ["region", "product", "notes"] where normalized[column] != nil {
            exact("normalized \(column)", normalized[column], report.normalizedCells[column])
        }
        checkInsights(expected, o.analysis)
        checkAggregations(expected["aggs"] as? [String: Any] ?? [:], o.aggregations)
    }

    private mutating func checkInsights(_ expected: [String: Any], _ a: InsightDetector.Analysis) {
        let flagged = Set(a.insights.filter { $0.kind == .correlation }.map { $0.columns.sorted().joined(separator: "|") })
        var flaggedPairs = Set<String>()
        for entry in expected["corr_flagged"] as? [[Any]] ?? [] {
            guard let x = entry[0] as? String, let y = entry[1] as? String else { continue }
            let key = [x, y].sorted().joined(separator: "|")
            flaggedPairs.insert(key)
            same("correlation flagged \(x)~\(y)", "yes", flagged.contains(key) ? "yes" : "no")
            let r = a.correlations["\(x)|\(y)"]?["pearson_r"]?.number ?? a.correlations["\(y)|\(x)"]?["pearson_r"]?.number
            close("pearson r \(x)~\(y)", entry[2], r, tolerance: 5e-4)
        }
        same("no other correlation flagged", "yes", flagged.subtracting(flaggedPairs).isEmpty ? "yes" : "no")
        let others = a.correlations.filter { !flaggedPairs.contains($0.key.split(separator: "|").map(String.init).sorted().joined(separator: "|")) }
        close("max |r| other pairs", expected["corr_max_abs_other_pairs"], others.values.compactMap { $0["pearson_r"]?.number.map(abs) }.max(), tolerance: 5e-4)
        for (column, t) in (expected["trends"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let trend = a.trends[column]
            close("trend \(column) slope/day", t["slope_per_day"], trend?["slope_per_day"]?.number, tolerance: 1e-6)
            close("trend \(column) pct_change", t["pct_change"], trend?["pct_change"]?.number, tolerance: 0.01)
            exact("trend \(column) n", t["n"], trend?["n"]?.number.map { Int($0) })
            let significant: String? = { if case .bool(let b)? = trend?["significant"] { return String(b) }; return nil }()
            same("trend \(column) significant", (t["significant"] as? Bool).map { String($0) }, significant)
        }
        for (column, e) in (expected["anomalies"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let got = a.anomalies[column]
            exact("anomalies \(column) robust_z", e["robust_z"], got?["robust_z"]?.number.map { Int($0) })
            exact("anomalies \(column) iqr", e["iqr"], got?["iqr"]?.number.map { Int($0) })
            for key in ["median", "mad", "q1", "q3"] {
                close("anomalies \(column) \(key)", e[key], got?[key]?.number, tolerance: 1e-6)
            }
        }
    }

    private mutating func checkAggregations(_ expected: [String: Any], _ results: [String: AggregationResult]) {
        for (name, e) in expected.sorted(by: { $0.key < $1.key }) {
            guard let e = e as? [String: Any] else { continue }
            let r = results[name]
            exact("\(name) groups", e["groups"], r.map { name == "by_month_product" ? Self.cells($0) : $0.labels.count })
            // Two-dimension results spread the total over one series per second key.
            let series = name == "by_month_product" ? (r?.series ?? []) : Array((r?.series ?? []).prefix(1))
            let total = r.map { _ in series.reduce(0) { t, s in t + s.values.reduce(0) { $0 + ($1 ?? 0) } } }
            if e["sum_revenue"] != nil { close("\(name) sum_revenue", e["sum_revenue"], total, tolerance: 0.05) }
            if e["sum_units"] != nil { close("\(name) sum_units", e["sum_units"], total, tolerance: 0.5) }
            if e["count"] != nil {
                exact("\(name) count", e["count"], r.flatMap { $0.series.count > 1 ? Int($0.series[1].values.reduce(0) { $0 + ($1 ?? 0) }) : nil })
            }
        }
    }

    /// Non-empty (label, series) cells of a two-dimension result.
    private static func cells(_ r: AggregationResult) -> Int {
        r.series.reduce(0) { $0 + $1.values.filter { $0 != nil }.count }
    }
}
