import Foundation
import Testing
@testable import Analytics

/// Insight rules on two real files agree with numpy/scipy (Fixtures/stats/make_real.py).
/// The files are simple comma-separated tables, loaded here by a minimal test-only loader so
/// these tests exercise the statistics, not the CSV reader.
struct InsightRealFilesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stats")

    struct Expected: Decodable {
        struct Pair: Decodable { var pearson_r, pearson_p, spearman_r, spearman_p: Double }
        struct Trend: Decodable { var slope_per_day: Double; var pct_change: Double?; var significant: Bool }
        struct StateCrime: Decodable { var pairs: [String: Pair]; var flagged: [[String]] }
        struct Employment: Decodable { var trends: [String: Trend]; var significant: [String] }
        var statecrime: StateCrime
        var us_employment: Employment
    }

    static let expected: Expected = try! JSONDecoder().decode(
        Expected.self, from: Data(contentsOf: folder.appendingPathComponent("real_files.json")))

    /// Columns named in `text` become categories, `date` a date column, the rest floats.
    static func load(_ name: String, text: Set<String> = [], date: String? = nil) throws -> Table {
        let content = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        let lines = content.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        let body = lines.dropFirst()
        let columns = header.enumerated().map { i, h -> Column in
            let cells = body.map { $0[i] }
            if text.contains(h) { return TestColumns.category(h, cells) }
            if h == date {
                return TestColumns.date(h, cells.map { s in
                    let p = s.split(separator: "-").compactMap { Int($0) }
                    return Int32(CivilDate(year: p[0], month: p[1], day: p[2]).days)
                })
            }
            return TestColumns.float(h, cells.map { Double($0) })
        }
        return TestColumns.table(columns)
    }

    @Test func stateCrimeCorrelationsMatchScipy() throws {
        let table = try Self.load("statsmodels-statecrime.csv", text: ["state"])
        let analysis = InsightDetector().analyze(table)
        for (key, e) in Self.expected.statecrime.pairs {
            let got = try #require(analysis.correlations[key], "pair \(key)")
            for (name, value, reference) in [("pearson", got["pearson_r"]?.number, e.pearson_r),
                                              ("spearman", got["spearman_r"]?.number, e.spearman_r),
                                              ("pearson p", got["pearson_p"]?.number, e.pearson_p)] {
                let v = try #require(value)
                #expect(abs(v - reference) <= 1e-9 * max(1e-300, abs(reference)) || abs(v - reference) < 1e-15, "\(key) \(name): \(v) vs \(reference)")
            }
        }
        let flagged = Set(Self.expected.statecrime.flagged.map { $0.joined(separator: "|") })
        let reported = analysis.insights.filter { $0.kind == .correlation }.map { $0.columns.sorted().joined(separator: "|") }
        #expect(reported.count == min(flagged.count, InsightOptions().maximumPerKind))
        #expect(Set(reported).isSubset(of: flagged), "\(reported)")
    }

    /// The same conclusions when the file goes through the upload path: reader, cleaning, insights.
    @Test func readerCleanerAndDetectorAgreeWithScipy() throws {
        let read = try CSVDatasetReader.read(fileAt: Self.folder.appendingPathComponent("vega-us-employment.csv"))
        let cleaned = Cleaner().clean(read.table)
        #expect(cleaned.report.duplicatesRemoved == 0 && cleaned.report.rowsAfter == 120)
        let analysis = InsightDetector().analyze(cleaned.table)
        let significant = analysis.trends.filter { $0.value["significant"] == .bool(true) }.map(\.key).sorted()
        #expect(significant == Self.expected.us_employment.significant)

        let crime = try CSVDatasetReader.read(fileAt: Self.folder.appendingPathComponent("statsmodels-statecrime.csv"))
        let pairs = InsightDetector().analyze(Cleaner().clean(crime.table).table).correlations
        let flagged = pairs.filter { _, v in
            [v["pearson_r"], v["spearman_r"]].contains { abs($0?.number ?? 0) >= 0.7 }
        }.map { $0.key.split(separator: "|").sorted().joined(separator: "|") }
        #expect(Set(flagged) == Set(Self.expected.statecrime.flagged.map { $0.joined(separator: "|") }))
    }

    @Test func usEmploymentTrendsMatchScipy() throws {
        let table = try Self.load("vega-us-employment.csv", date: "month")
        let analysis = InsightDetector().analyze(table)
        for (column, e) in Self.expected.us_employment.trends {
            let got = try #require(analysis.trends[column], "trend \(column)")
            let slope = try #require(got["slope_per_day"]?.number)
            #expect(abs(slope - e.slope_per_day) <= 1e-9 * abs(e.slope_per_day), "\(column) slope \(slope) vs \(e.slope_per_day)")
            if let pct = e.pct_change {
                let mine = try #require(got["pct_change"]?.number)
                #expect(abs(mine - pct) <= 1e-9 * abs(pct) + 1e-12, "\(column) pct \(mine) vs \(pct)")
            }
            #expect(got["significant"] == .bool(e.significant), "\(column) significance")
        }
        let trendInsights = analysis.insights.filter { $0.kind == .trend }
        #expect(!trendInsights.isEmpty)
        #expect(trendInsights.allSatisfy { Self.expected.us_employment.significant.contains($0.columns[0]) })
    }
}
