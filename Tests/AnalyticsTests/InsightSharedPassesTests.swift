import Foundation
import Testing
@testable import Analytics

/// The numbers the insight rules now share (fits, period means, correlation moments) must be
/// bit for bit those of the straightforward one-measure computations they replaced.
struct InsightSharedPassesTests {
    /// Sales-like rows with empty cells in dates and in some measures, ties, a constant column,
    /// rows in date order with a shuffled tail.
    func table(rows: Int, seed: UInt64) -> Table {
        var rng = SeededRandom(seed: seed)
        var days = (0..<rows).map { _ in TestColumns.jan2023 + Int32(rng.next() % 700) }.sorted()
        if rows > 10 { days[(rows - 10)...].shuffle(using: &rng) }
        let date = days.map { d -> Int32? in rng.uniform() < 0.04 ? nil : d }
        let units = (0..<rows).map { i -> Double? in rng.uniform() < 0.05 ? nil : (10 + Double(i % 17) + rng.normal(sd: 2)).rounded() }
        let revenue = (0..<rows).map { i -> Double? in 250 + Double(i) * 0.01 + rng.normal(sd: 40) * (i % 97 == 0 ? 30 : 1) }
        let price = (0..<rows).map { _ -> Double? in 20 + rng.normal(sd: 1) }
        let flat = (0..<rows).map { _ -> Double? in 7 }
        let age = (0..<rows).map { _ -> Double? in 40 + rng.normal(sd: 9) }
        return TestColumns.table([
            TestColumns.date("order_date", date), TestColumns.float("units", units), TestColumns.float("revenue", revenue),
            TestColumns.float("unit_price", price), TestColumns.float("flat", flat), TestColumns.float("customer_age", age),
            TestColumns.category("region", (0..<rows).map { _ in ["N", "S", "E", "W"][Int(rng.next() % 4)] }),
        ])
    }

    func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test(arguments: [(120, UInt64(1)), (3_000, 2), (60_000, 3)])
    func sharedFitsAndPeriodMeansMatchOneMeasureLoops(rows: Int, seed: UInt64) throws {
        let table = table(rows: rows, seed: seed)
        let ctx = InsightContext(table: table, profile: Profiler().profile(table), options: InsightOptions())
        let t = try #require(ctx.timeline)
        #expect(ctx.measures.count >= 5)
        // The day index, built on both cores, as the one-line map it replaced.
        #expect(ctx.dayIndex == t.days.map { $0.isNaN ? -1 : Int32(($0 - t.firstDay.rounded(.down)).rounded(.down)) })
        for m in ctx.measures {
            let fit = t.days.withUnsafeBufferPointer { x in
                m.values.withUnsafeBufferPointer { LinearFit(skippingNaN: x, $0, xOffset: t.firstDay) }
            }
            #expect(ctx.fits[m.name] == fit, "\(m.name)")
            // Period means as the single-measure loop computed them.
            var sums = [Double](repeating: 0, count: t.labels.count), counts = [Int](repeating: 0, count: t.labels.count)
            for i in 0..<m.values.count where t.period[i] >= 0 && !m.values[i].isNaN {
                sums[Int(t.period[i])] += m.values[i]
                counts[Int(t.period[i])] += 1
            }
            let indices = counts.indices.filter { counts[$0] >= 1 }
            let series = try #require(ctx.periodMeans[m.name])
            #expect(series.indices == indices && series.counts == indices.map { counts[$0] }, "\(m.name)")
            #expect(zip(series.values, indices.map { sums[$0] / Double(counts[$0]) }).allSatisfy { same($0, $1) }, "\(m.name)")
            // Without the profile's outliers, as the anomaly rule would compute them itself.
            let summary = try #require(ctx.profile?.column(named: m.name)?.robustSummary)
            let own = try #require(ctx.periodSeries(m, minimumRows: 5, excludingOutliersOf: summary))
            let shared = try #require(ctx.outlierFreePeriodMeans[m.name])
            #expect(shared.indices == own.indices && shared.counts == own.counts, "\(m.name)")
            #expect(zip(shared.values, own.values).allSatisfy { same($0, $1) }, "\(m.name)")
        }
    }

    @Test(arguments: [(40, UInt64(4)), (3_000, 5), (60_000, 6)])
    func correlationMomentsMatchOnePairLoops(rows: Int, seed: UInt64) throws {
        let table = table(rows: rows, seed: seed)
        let ctx = InsightContext(table: table, profile: nil, options: InsightOptions())
        let n = table.rowCount
        let (moments, products) = CorrelationRule.completeMoments(ctx.measures, rows: n)
        for (i, m) in ctx.measures.enumerated() {
            guard m.validCount == n else {
                #expect(moments[i] == nil)
                continue
            }
            let mean = try #require(Descriptive.mean(m.values))
            var ss = 0.0
            for v in m.values { ss += (v - mean) * (v - mean) }
            let got = try #require(moments[i])
            #expect(same(got.mean, mean) && same(got.ss, ss), "\(m.name)")
            for j in (i + 1)..<ctx.measures.count where ctx.measures[j].validCount == n {
                let other = ctx.measures[j]
                let otherMean = try #require(Descriptive.mean(other.values))
                var sxy = 0.0
                for k in 0..<n { sxy += (m.values[k] - mean) * (other.values[k] - otherMean) }
                #expect(same(try #require(products[CorrelationRule.Pair(i, j)]), sxy), "\(m.name)|\(other.name)")
            }
        }
    }

    @Test(arguments: [(30, UInt64(10)), (60_000, 11)])
    func preparedSampleRanksAreTheRulesOwn(rows: Int, seed: UInt64) {
        let table = table(rows: rows, seed: seed)
        let options = InsightOptions()
        let ctx = InsightContext(table: table, profile: nil, options: options)
        let sampleRows = CorrelationRule.sampleRows(rows, options)
        #expect(ctx.sampleRanks.count == ctx.measures.count)
        for (i, m) in ctx.measures.enumerated() {
            #expect(ctx.sampleRanks[i] == CorrelationRule.sampleRanks(m, rows: sampleRows), "\(m.name)")
        }
        var unprepared = ctx
        unprepared.sampleRanks = []
        func flat(_ pairs: [CorrelationRule.PairResult]) -> [String] {
            pairs.map { "\($0.a)|\($0.b) \(String(describing: $0.pearson)) \(String(describing: $0.spearman))" }
        }
        #expect(flat(CorrelationRule.pairs(ctx, options)) == flat(CorrelationRule.pairs(unprepared, options)))
        var fewer = options
        fewer.rankSampleSize = 1_000
        #expect(flat(CorrelationRule.pairs(ctx, fewer)) == flat(CorrelationRule.pairs(unprepared, fewer)))
    }

    @Test func correlationSumsInSlicesMatchTheRulesOwn() throws {
        let options = InsightOptions()
        for table in [SyntheticSales(rows: 60_000, correlated: true, anomalies: 9).make(), table(rows: 5_000, seed: 15)] {
            let ctx = InsightContext(table: table, profile: Profiler().profile(table), options: options)
            let (complete, means) = try #require(ctx.completeMeans)
            #expect(complete == CorrelationRule.completeIndices(ctx.measures, rows: table.rowCount))
            #expect(means.map(\.bitPattern) == CorrelationRule.completeMeans(ctx.measures, complete, rows: table.rowCount).map(\.bitPattern))
            let products = CorrelationRule.productPairs(complete.count)
            let sums = stride(from: 0, to: products.count, by: 3).flatMap {
                CorrelationRule.centredProducts(ctx.measures, complete, means, products[$0..<min($0 + 3, products.count)])
            }
            let sliced = CorrelationRule.assemble(ctx.measures.count, complete, means, products, sums)
            func flat(_ pairs: [CorrelationRule.PairResult]) -> [String] {
                pairs.map { "\($0.a)|\($0.b) \(String(describing: $0.pearson)) \(String(describing: $0.spearman))" }
            }
            let whole = CorrelationRule.pairs(ctx, options)
            #expect(flat(CorrelationRule.pairs(ctx, options, moments: sliced)) == flat(whole))
            // The detector (which sums the slices on both cores) reports the same numbers.
            let analysis = InsightDetector(options: options).analyze(table, profile: ctx.profile)
            #expect(analysis.correlations.count == whole.count)
            for p in whole {
                let reported = try #require(analysis.correlations["\(p.a)|\(p.b)"])
                #expect(reported["pearson_r"] == p.pearson.map { .number($0.r) } ?? .null)
                #expect(reported["spearman_p"] == p.spearman.map { .number($0.pValue) } ?? .null)
            }
        }
    }

    @Test func detectorIsDeterministicWhenRulesRunOnBothCores() {
        let table = table(rows: 60_000, seed: 8)
        let detector = InsightDetector()
        let a = detector.analyze(table), b = detector.analyze(table)
        #expect(a.insights == b.insights && a.trends == b.trends && a.correlations == b.correlations && a.anomalies == b.anomalies)
        // Anomaly counts cover every measure, as when one task did them all.
        let ctx = InsightContext(table: table, profile: Profiler().profile(table), options: InsightOptions())
        #expect(a.anomalies == AnomalyRule.evaluate(ctx, InsightOptions()).counts)
    }
}
