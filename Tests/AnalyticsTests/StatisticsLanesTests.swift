import Foundation
import Testing
@testable import Analytics

/// The four-lane kernels must give bit for bit what the one-column loops give, on awkward data.
struct StatisticsLanesTests {
    /// Columns with NaN (when asked), ties, huge and tiny magnitudes, negatives and zeros.
    func columns(count: Int, rows: Int, seed: UInt64, nan: Bool) -> [[Double]] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { c in
            (0..<rows).map { _ -> Double in
                let u = rng.uniform()
                if nan && u < 0.08 { return .nan }
                if u < 0.12 { return 0 }
                if u < 0.15 { return -0.0 }
                if u < 0.2 { return 42 }
                if u < 0.22 { return 1e15 * (rng.uniform() - 0.5) }
                if u < 0.24 { return 1e-12 * rng.uniform() }
                return Double(c + 1) * 100 + rng.normal(sd: 30)
            }
        }
    }

    func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    /// Equal fits, NaN fields (from infinite values) counting as equal.
    func sameFit(_ a: LinearFit?, _ b: LinearFit?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.count == b.count && same(a.slope, b.slope) && same(a.intercept, b.intercept) && same(a.rSquared, b.rSquared)
            && same(a.slopeStandardError, b.slopeStandardError) && same(a.pValue, b.pValue)
    }

    let shapes: [(count: Int, rows: Int)] = [(1, 0), (1, 1), (2, 1), (3, 2), (4, 7), (5, 1000), (6, 3), (8, 513), (9, 2000)]

    @Test func compensatedSumsMatchDescriptiveSum() {
        for (k, shape) in shapes.enumerated() {
            let cols = columns(count: shape.count, rows: shape.rows, seed: UInt64(k + 1), nan: false)
            let got = ColumnLanes.withBuffers(cols) { ColumnLanes.compensatedSums($0) }
            for (c, col) in cols.enumerated() {
                #expect(same(got[c], Descriptive.sum(col)), "shape \(shape), column \(c)")
            }
        }
    }

    @Test func centredProductsMatchOnePairLoops() {
        for (k, shape) in shapes.enumerated() {
            let cols = columns(count: shape.count, rows: shape.rows, seed: UInt64(k + 20), nan: k % 2 == 0)
            let means = cols.map { col in col.isEmpty ? 0 : col.reduce(0, +) / Double(col.count) }
            var pairs: [(Int, Int)] = []
            for a in cols.indices { for b in a..<cols.count { pairs.append((a, b)) } }
            let got = ColumnLanes.withBuffers(cols) { bs in
                ColumnLanes.centredProducts(pairs.map { (bs[$0.0], means[$0.0], bs[$0.1], means[$0.1]) })
            }
            for (p, pair) in pairs.enumerated() {
                var expected = 0.0
                for i in 0..<shape.rows { expected += (cols[pair.0][i] - means[pair.0]) * (cols[pair.1][i] - means[pair.1]) }
                #expect(same(got[p], expected), "shape \(shape), pair \(pair)")
            }
        }
    }

    @Test func keyedSumsMatchTheOneColumnLoop() {
        for (k, shape) in shapes.enumerated() {
            var rng = SeededRandom(seed: UInt64(k + 40))
            let cols = columns(count: shape.count, rows: shape.rows, seed: UInt64(k + 40), nan: true)
            let groups = 1 + k * 3
            // Sorted runs (the usual date order) for some shapes, shuffled keys for others; −1 for no key.
            var keys = (0..<shape.rows).map { _ in rng.uniform() < 0.1 ? Int32(-1) : Int32(rng.next() % UInt64(groups)) }
            if k % 2 == 0 { keys.sort() }
            // Outlier filters: none, everything in range (zScale 0), a real summary, another real one.
            let summaries: [RobustSummary?] = cols.indices.map { c in
                switch c % 4 {
                case 0: return nil
                case 1: return RobustSummary(count: 3, median: 100, mad: 0, q1: 90, q3: 110, meanAbsoluteDeviation: 0)
                case 2: return RobustSummary(cols[c].filter { !$0.isNaN })
                default: return RobustSummary(count: 3, median: 200, mad: 5, q1: 190, q3: 210, meanAbsoluteDeviation: 6)
                }
            }
            for excluding in [[], summaries] {
                let got = keys.withUnsafeBufferPointer { kb in
                    ColumnLanes.withBuffers(cols) { ColumnLanes.keyedSums(keys: kb, groups: groups, $0, excluding: excluding) }
                }
                for c in cols.indices {
                    var sums = [Double](repeating: 0, count: groups), counts = [Int](repeating: 0, count: groups)
                    for i in 0..<shape.rows {
                        let key = Int(keys[i]), x = cols[c][i]
                        let outlier = excluding.isEmpty ? false : (excluding[c]?.isRobustZOutlier(x) ?? false)
                        if key >= 0 && !x.isNaN && !outlier {
                            sums[key] += x
                            counts[key] += 1
                        }
                    }
                    #expect(got[c].counts == counts, "shape \(shape), column \(c)")
                    #expect(zip(got[c].sums, sums).allSatisfy { same($0, $1) }, "shape \(shape), column \(c)")
                }
            }
            // Both sets from one pass: the kept values as above, and all of them.
            let both = keys.withUnsafeBufferPointer { kb in
                ColumnLanes.withBuffers(cols) { ColumnLanes.keyedSumsWithAndWithout(keys: kb, groups: groups, $0, excluding: summaries) }
            }
            let (kept, all) = keys.withUnsafeBufferPointer { kb in
                ColumnLanes.withBuffers(cols) {
                    (ColumnLanes.keyedSums(keys: kb, groups: groups, $0, excluding: summaries),
                     ColumnLanes.keyedSums(keys: kb, groups: groups, $0, excluding: []))
                }
            }
            for c in cols.indices {
                #expect(both.kept[c].counts == kept[c].counts && zip(both.kept[c].sums, kept[c].sums).allSatisfy { same($0, $1) })
                #expect(both.all[c].counts == all[c].counts && zip(both.all[c].sums, all[c].sums).allSatisfy { same($0, $1) })
            }
        }
    }

    @Test(arguments: [true, false])
    func linearFitsMatchOneColumnFits(nan: Bool) {
        for (k, shape) in shapes.enumerated() {
            var rng = SeededRandom(seed: UInt64(k + 60))
            let x = (0..<shape.rows).map { i -> Double in rng.uniform() < 0.05 ? .nan : 19_000 + Double(i) / 7 + rng.uniform() }
            // Without NaN in y the shared-x path runs; infinities of both signs make a NaN sum
            // without a NaN value (which must fall back to the masked loop).
            var ys = columns(count: shape.count, rows: shape.rows, seed: UInt64(k + 60), nan: nan)
            if !nan && k == 7 { ys[2][3] = .infinity; ys[2][9] = -.infinity; ys[5][4] = .infinity }
            // A column that is all NaN but two rows, and one with a linear shape.
            if nan && ys.count > 2 { ys[1] = ys[1].enumerated().map { $0.offset < 2 ? $0.element : .nan } }
            if ys.count > 3 { ys[3] = x.map { 3 * $0 - 5 } }
            let got = x.withUnsafeBufferPointer { xb in
                ColumnLanes.withBuffers(ys) { LinearFit.fits(skippingNaN: xb, $0, xOffset: 19_000) }
            }
            for c in ys.indices {
                let expected = x.withUnsafeBufferPointer { xb in
                    ys[c].withUnsafeBufferPointer { LinearFit(skippingNaN: xb, $0, xOffset: 19_000) }
                }
                #expect(sameFit(got[c], expected), "shape \(shape), column \(c)")
            }
        }
        // Columns shorter than x are fitted on their own rows.
        let x = (0..<50).map(Double.init), short = (0..<40).map { Double($0 * $0) }
        let got = x.withUnsafeBufferPointer { xb in ColumnLanes.withBuffers([x, short]) { LinearFit.fits(skippingNaN: xb, $0) } }
        #expect(got[1] == LinearFit(x: Array(x.prefix(40)), y: short))
    }

    @Test func inlierBoundsAgreeWithTheRobustZTest() throws {
        var rng = SeededRandom(seed: 5)
        let summaries = [
            RobustSummary(count: 9, median: 287.9, mad: 111.8, q1: 200, q3: 400, meanAbsoluteDeviation: 120),
            RobustSummary(count: 9, median: -3, mad: 1e-9, q1: -3, q3: -3, meanAbsoluteDeviation: 1),
            RobustSummary(count: 9, median: 0, mad: 0, q1: 0, q3: 0, meanAbsoluteDeviation: 0.25),
            RobustSummary(count: 9, median: 1e300, mad: 1e299, q1: 0, q3: 0, meanAbsoluteDeviation: 1),
            RobustSummary(count: 9, median: 5, mad: 1e-320, q1: 5, q3: 5, meanAbsoluteDeviation: 0),
        ]
        for s in summaries {
            let (low, high) = try #require(s.inlierBounds)
            var probes: [Double] = [low, high, low.nextDown, low.nextUp, high.nextDown, high.nextUp, s.median,
                                    .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
            for _ in 0..<2000 { probes.append(s.median + (rng.uniform() - 0.5) * 20 * max(s.zScale, 1e-300)) }
            for x in probes {
                #expect(s.isRobustZOutlier(x) == !(low <= x && x <= high), "x = \(x), summary \(s)")
            }
        }
        // Nothing is an outlier when the scale is 0; no bounds when the centre is not finite.
        let flat = RobustSummary(count: 3, median: 1, mad: 0, q1: 1, q3: 1, meanAbsoluteDeviation: 0)
        #expect(flat.inlierBounds! == (-.infinity, .infinity))
        #expect(RobustSummary(count: 3, median: .infinity, mad: 1, q1: 1, q3: 1, meanAbsoluteDeviation: 1).inlierBounds == nil)
    }
}

/// The shortcuts of the anomaly, concentration and rank code against the loops they replaced.
struct InsightShortcutTests {
    func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test func anomalyScanMatchesOneDivisionPerValue() throws {
        var rng = SeededRandom(seed: 31)
        var samples: [[Double]] = [
            [], [5], [5, 5, 5, 5], [1, 2, 3, 100], [100, 1, 2, 3, -94, 100, -94],
            [0, -0.0, 0, 1e-300, -1e-300, 7],
            [1, 2, .nan, 3, 400, .infinity, -.infinity, 2],
        ]
        for _ in 0..<6 {
            samples.append((0..<5_000).map { i in
                let x = 287.9 + rng.normal(sd: 111.8)
                return i % 397 == 0 ? x * 14 : (i % 113 == 0 ? (x * 100).rounded() / 100 : x)
            })
        }
        // Symmetric extremes: the first of the tied values in row order must be the one reported.
        samples.append([10, 10, 10, 11, 9, 10, 60, -40, 10, 10, 60])
        samples.append([10, 10, 10, 11, 9, 10, -40, 60, 10, 10, -40])
        for values in samples {
            let summaries = [RobustSummary(values.filter { !$0.isNaN }),
                             RobustSummary(count: 1, median: 10, mad: 0, q1: 10, q3: 10, meanAbsoluteDeviation: 0),
                             RobustSummary(count: 1, median: 10, mad: 0, q1: 10, q3: 10, meanAbsoluteDeviation: 2),
                             RobustSummary(count: 1, median: .infinity, mad: 1, q1: 10, q3: 10, meanAbsoluteDeviation: 2)]
            for case let s? in summaries {
                let fast = AnomalyRule.scan(values, s), slow = AnomalyRule.scanByDivision(values, s)
                #expect(fast.z == slow.z && fast.iqr == slow.iqr, "\(values.prefix(12)) \(s)")
                if slow.z > 0 {
                    #expect(same(fast.extreme, slow.extreme) && same(fast.extremeValue, slow.extremeValue), "\(values.prefix(12)) \(s)")
                }
            }
        }
    }

    @Test func worstResidualMatchesOneDivisionPerRow() throws {
        let table = InsightSharedPassesTests().table(rows: 5_000, seed: 12)
        let ctx = InsightContext(table: table, profile: nil, options: InsightOptions())
        for m in ctx.measures {
            let fit = try #require(ctx.fits[m.name])
            for s in [RobustSummary(count: 1, median: 0, mad: 3, q1: -2, q3: 2, meanAbsoluteDeviation: 3),
                      RobustSummary(count: 1, median: 2, mad: 0, q1: 2, q3: 2, meanAbsoluteDeviation: 0),
                      RobustSummary(count: 1, median: -1e9, mad: 1e-9, q1: 0, q3: 0, meanAbsoluteDeviation: 1)] {
                let fast = AnomalyRule.worstResidualZ(ctx, m, fit, s)
                #expect(same(fast, AnomalyRule.worstResidualZByDivision(ctx, m, fit, s)), "\(m.name) \(s)")
            }
        }
    }

    @Test func ranksOfNumbersMatchRanksByPositions() {
        var rng = SeededRandom(seed: 32)
        var samples: [[Double]] = [[], [3], [2, 2], [0, -0.0, 0, -0.0, 1], [3, 1, 2, 1, 3, 3, -5]]
        samples.append((0..<20_000).map { _ in (rng.normal(sd: 5) * 4).rounded() / 4 })
        samples.append((0..<3_001).map { _ in rng.normal() })
        for values in samples {
            #expect(Ranks.averageOfNumbers(values) == Ranks.averageByPositions(values), "\(values.prefix(8))")
        }
        #expect(Ranks.average([1, .nan, 0]) == Ranks.averageByPositions([1, .nan, 0]))
    }

    @Test func codeSumsMatchGroupAccumulators() {
        var rng = SeededRandom(seed: 33)
        for (rows, groups, count) in [(0, 3, 2), (1, 1, 1), (9, 4, 5), (4_000, 7, 6)] {
            let codes = (0..<rows).map { _ in UInt32(rng.next() % UInt64(groups)) }
            var validity = ValidityBitmap(count: rows, allValid: true)
            for i in 0..<rows where rng.uniform() < 0.1 { validity[i] = false }
            var columns: [[Double]] = []
            for c in 0..<count {
                var column: [Double] = []
                for i in 0..<rows {
                    let spread: Double = rng.normal(sd: 20) * Double(c + 1)
                    if i % 53 == 3 {
                        column.append(.nan)
                    } else if c == 2 && i % 101 == 0 {
                        column.append(-1)
                    } else {
                        column.append(50 + spread)
                    }
                }
                columns.append(column)
            }
            let got = codes.withUnsafeBufferPointer { cb in
                ColumnLanes.withBuffers(columns) { ColumnLanes.codeSums(codes: cb, validity: validity, groups: groups, $0) }
            }
            let keys = (0..<rows).map { validity[$0] ? Int32(codes[$0]) : -1 }
            #expect(got.rows == GroupAccumulators.rowCounts(keys: keys, groups: groups))
            for (c, column) in columns.enumerated() {
                let acc = column.withUnsafeBufferPointer { v in
                    GroupAccumulators.run(rows: 0..<rows, keys: keys, groups: groups, validity: nil, extremes: true) { v[$0].isNaN ? 0 : v[$0] }
                }
                #expect(zip(got.sums[c], acc.sums).allSatisfy { same($0, $1) }, "rows \(rows), column \(c)")
                #expect(got.negative[c] == acc.mins.contains { $0 < 0 }, "rows \(rows), column \(c)")
            }
        }
    }
}
