import Foundation
import Testing
@testable import Analytics

struct InsightDetectorTests {
    let detector = InsightDetector()

    func kinds(_ insights: [Insight]) -> [Insight.Kind] { insights.map(\.kind) }

    @Test func findsPlantedTrendCorrelationAndAnomalies() throws {
        let table = SyntheticSales(trend: 0.5, correlated: true, anomalies: 6).make()
        let analysis = detector.analyze(table)
        let trend = try #require(analysis.insights.first { $0.kind == .trend && $0.columns.first == "units" })
        #expect(trend.title.hasPrefix("Units rose"))
        #expect(trend.title.contains("(p < 0.001)"))
        let pct = try #require(trend.data["pct_change"]?.number)
        #expect(abs(pct - 50) < 8, "planted +50%, measured \(pct)")
        let correlation = try #require(analysis.insights.first { $0.kind == .correlation })
        #expect(Set(correlation.columns) == ["units", "revenue"])
        let anomaly = try #require(analysis.insights.first { $0.kind == .anomaly && $0.columns == ["revenue"] })
        #expect((anomaly.data["robust_z"]?.number ?? 0) >= 6)
        #expect(!analysis.insights.contains { $0.columns.contains("customer_age") && $0.kind != .dataQuality })
    }

    @Test func reportsNothingInPureNoise() {
        for seed in UInt64(1)...6 {
            let table = SyntheticSales(seed: seed).make()
            let insights = detector.detect(table)
            #expect(insights.isEmpty, "seed \(seed): \(insights.map(\.title))")
        }
    }

    @Test func staysSilentOnSmallSamples() {
        let table = SyntheticSales(rows: 20, days: 20, trend: 3, correlated: true, anomalies: 2).make()
        let insights = detector.detect(table)
        #expect(insights.isEmpty, "\(insights.map(\.title))")
    }

    @Test func findsALevelShiftAsAChangePointNotATrendArtefact() throws {
        let table = SyntheticSales(rows: 4000, days: 600, seed: 3, levelShiftDay: 300).make()
        let insights = detector.detect(table)
        let shift = try #require(insights.first { $0.kind == .changePoint && $0.columns.first == "units" })
        #expect(shift.title.hasPrefix("Units jumped"))
        let steady = SyntheticSales(rows: 4000, days: 600, seed: 3, trend: 0.6).make()
        #expect(!detector.detect(steady).contains { $0.kind == .changePoint })
    }

    @Test func findsAWeeklyCycle() throws {
        let table = SyntheticSales(rows: 5000, days: 364, seed: 4, weekly: true).make()
        let insights = detector.detect(table)
        let season = try #require(insights.first { $0.kind == .seasonality && $0.columns.first == "units" })
        #expect(season.data["period"]?.number == 7)
        #expect(season.title == "Units follows a weekly cycle")
    }

    @Test func flagsConcentrationAndDataQuality() throws {
        var rng = SeededRandom(seed: 11)
        let n = 400
        let customer = (0..<n).map { _ -> String? in rng.uniform() < 0.7 ? "Acme" : ["Bolt", "Cog", "Dyno"][Int(rng.next() % 3)] }
        let table = TestColumns.table([
            TestColumns.category("customer", customer),
            TestColumns.float("amount", (0..<n).map { _ in 100 + rng.normal(sd: 10) }),
            TestColumns.category("country", (0..<n).map { _ in "NZ" }),
            TestColumns.float("rebate", (0..<n).map { i in i % 10 == 0 ? 1.0 : nil }),
            TestColumns.integer("id", (0..<n).map { Int64($0) * 3 + 1 }),
        ])
        let insights = detector.detect(table)
        let concentration = try #require(insights.first { $0.kind == .concentration })
        #expect(concentration.title.hasPrefix("Acme accounts for 7"))
        let issues = insights.filter { $0.kind == .dataQuality }.compactMap { i -> String? in
            if case .string(let s)? = i.data["issue"] { return "\(i.columns[0]):\(s)" }
            return nil
        }
        #expect(Set(issues).isSuperset(of: ["country:constant", "rebate:mostly_missing", "id:all_unique"]))
    }

    @Test func judgesDataQualityOnTheUploadedData() throws {
        var rng = SeededRandom(seed: 12)
        let raw = TestColumns.table([
            TestColumns.float("x", (0..<200).map { _ in rng.normal() }),
            TestColumns.float("sparse", (0..<200).map { i in i % 20 < 11 ? nil : rng.normal() }),
        ])
        let cleaned = Cleaner().clean(raw).table
        #expect(cleaned.column(named: "sparse")?.validity.nullCount == 0)
        let withUpload = InsightDetector().detect(cleaned, uploadedProfile: Profiler().profile(raw))
        #expect(withUpload.contains { $0.kind == .dataQuality && $0.columns == ["sparse"] })
    }

    @Test func ranksByScoreAndCapsTheCount() {
        var options = InsightOptions()
        options.maximumInsights = 3
        let table = SyntheticSales(trend: 0.5, correlated: true, anomalies: 6).make()
        let insights = InsightDetector(options: options).detect(table)
        #expect(insights.count == 3)
        #expect(zip(insights, insights.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(insights.allSatisfy { (0...1).contains($0.score) })
    }

    @Test func encodesTheContractShape() throws {
        let insights = detector.detect(SyntheticSales(trend: 0.5, correlated: true).make())
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(insights)) as? [[String: Any]]
        let first = try #require(json?.first)
        #expect(Set(first.keys) == ["kind", "score", "title", "description", "columns", "data"])
    }
}
