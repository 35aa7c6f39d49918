import Analytics
import Foundation

/// Benchmark results as a table for people or JSON for scripts, with the reference figures.
struct BenchReport {
    var file: String
    var bytes: Int
    var rows: Int
    var runs: Int
    var timings: [String: [Double]]
    var peakBytes: Int?
    var outcome: BenchPipeline.Outcome
    var check: ExpectedCheck?

    static let phases = ["read + infer", "clean", "profile", "insights", "aggregation index", "aggregations"]
    /// 1M-row messy file, this machine: pandas / polars / DuckDB seconds (bench README).
    static let reference: [String: String] = [
        "read + infer": "0.29 / 0.18 / 0.42", "clean": "2.56 / 1.26 / 1.36", "insights": "0.28 / 0.13 / 0.36",
        "aggregations": "0.13 / 0.10 / 0.04", "peak": "1,190 / 819 / 653 MiB",
    ]

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func text() -> String {
        var out = "lumina-bench  \(file)  \(rows) rows  \(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB  medians of \(runs) runs\n\n"
        out += pad("phase", 16) + pad("median s", 11) + pad("min s", 10) + pad("max s", 10) + "reference 1M (pandas / polars / DuckDB)\n"
        var total = 0.0
        for phase in Self.phases {
            guard let t = timings[phase] else { continue }
            let m = Self.median(t)
            total += m
            let label = phase == "aggregations" ? "3 aggregations" : (phase == "aggregation index" ? "agg. index" : phase)
            out += pad(label, 16) + pad(String(format: "%.4f", m), 11) + pad(String(format: "%.4f", t.min() ?? 0), 10)
                + pad(String(format: "%.4f", t.max() ?? 0), 10) + (Self.reference[phase] ?? "") + "\n"
        }
        out += pad("total", 16) + String(format: "%.4f", total) + "\n"
        if let peakBytes {
            out += pad("peak RSS", 16) + pad("\(peakBytes / 1_048_576) MiB", 31) + (Self.reference["peak"] ?? "") + "\n"
        }
        let r = outcome.cleaning.report
        out += "\ncleaning: \(r.rowsBefore) → \(r.rowsAfter) rows, \(r.duplicatesRemoved) duplicates, imputed \(r.imputed.values.reduce(0, +)) cells\n"
        out += "insights (\(outcome.analysis.insights.count)):\n"
        for insight in outcome.analysis.insights {
            out += "  \(String(format: "%.2f", insight.score))  [\(insight.kind.rawValue)] \(insight.title)\n"
        }
        if let check {
            let failed = check.lines.filter { !$0.ok }
            out += "\nexpected detections: \(check.lines.count - failed.count)/\(check.lines.count) checks pass\n"
            for line in failed { out += "  FAIL \(line.name): expected \(line.expected), got \(line.actual)\n" }
        }
        return out
    }

    func json() throws -> String {
        var phases: [String: JSONValue] = [:]
        for (phase, t) in timings {
            phases[phase] = ["median": .number(Self.median(t)), "min": .number(t.min() ?? 0), "max": .number(t.max() ?? 0)]
        }
        var object: [String: JSONValue] = [
            "file": .string(file), "bytes": .int(bytes), "rows": .int(rows), "runs": .int(runs),
            "seconds": .object(phases), "peak_rss_bytes": peakBytes.map(JSONValue.int) ?? .null,
            "insights": .array(outcome.analysis.insights.map { ["kind": .string($0.kind.rawValue), "title": .string($0.title)] }),
        ]
        if let check {
            object["checks"] = .array(check.lines.map {
                ["name": .string($0.name), "expected": .string($0.expected), "actual": .string($0.actual), "ok": .bool($0.ok)]
            })
            object["checks_passed"] = .bool(check.passed)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(JSONValue.object(object)), as: UTF8.self) + "\n"
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
