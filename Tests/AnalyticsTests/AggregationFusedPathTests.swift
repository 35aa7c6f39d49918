import Foundation
import Testing
@testable import Analytics

/// The fused group-by path (keys computed inside the measure pass) must give exactly what the
/// general path (a key array, then one pass per measure) gives.
struct AggregationFusedPathTests {
    /// Categories, dates and datetimes (some before 1970) with empty cells, measures of every
    /// summable type with empty cells, NaN and huge values.
    func table(rows: Int, seed: UInt64) -> Table {
        var rng = SeededRandom(seed: seed)
        func maybe<T>(_ p: Double, _ v: T) -> T? { rng.uniform() < p ? nil : v }
        let day = (0..<rows).map { i in Int32(-40 + i * 900 / max(rows, 1)) + Int32(rng.next() % 3) }
        return TestColumns.table([
            TestColumns.category("region", (0..<rows).map { _ in maybe(0.05, ["North", "South", "East", "West", "Ünder"][Int(rng.next() % 5)]) }),
            TestColumns.category("product", (0..<rows).map { _ in ["b", "a", "c"][Int(rng.next() % 3)] }),
            TestColumns.date("order_day", day.map { maybe(0.03, $0) }),
            Column(name: "order_time", type: .datetime,
                   storage: .datetime(day.map { Int64($0) * 86_400 + Int64(rng.next() % 86_400) - 43_200 }),
                   validity: TestColumns.validity(day.map { maybe(0.04, $0) })),
            TestColumns.float("revenue", (0..<rows).map { i in
                maybe(0.05, i % 1009 == 0 ? 1e17 : (i % 2003 == 5 ? -.zero : 100 + rng.normal(sd: 40)))
            }),
            TestColumns.float("complete", (0..<rows).map { _ in 3 + rng.normal(sd: 1) }),
            TestColumns.float("with_nan", (0..<rows).map { i in i % 4001 == 7 ? .nan : rng.normal() }),
            TestColumns.integer("units", (0..<rows).map { _ in maybe(0.02, Int64(rng.next() % 50) - 5) }),
            TestColumns.boolean("returning", (0..<rows).map { _ in maybe(0.1, rng.next() % 2 == 0) }),
        ])
    }

    func same(_ a: AggregationResult, _ b: AggregationResult) -> Bool {
        guard a.labels == b.labels, a.rowsAggregated == b.rowsAggregated, a.rowsWithoutKey == b.rowsWithoutKey,
              a.value?.bitPattern == b.value?.bitPattern, a.series.count == b.series.count else { return false }
        return zip(a.series, b.series).allSatisfy { s, t in
            s.name == t.name && s.values.map { $0?.bitPattern } == t.values.map { $0?.bitPattern }
        }
    }

    static let queries: [AggregationQuery] = {
        let dims: [[AggregationQuery.Dimension]] = [
            [.init("region")], [.init("order_day", bucket: .day)], [.init("order_time", bucket: .week)],
            [.init("order_time", bucket: .month), .init("product")], [.init("region"), .init("product")],
            [.init("order_day", bucket: .quarter), .init("region")], [.init("order_time")],
        ]
        let measures: [[AggregationQuery.Measure]] = [
            [.init(.sum, "revenue"), .init(.count)], [.init(.sum, "units")], [.init(.mean, "revenue"), .init(.mean, "with_nan")],
            [.init(.count)], [.init(.sum, "returning"), .init(.count, "complete"), .init(.mean, "units")],
            [.init(.count, "revenue")], [.init(.sum, "complete"), .init(.max, "units")],
        ]
        var out: [AggregationQuery] = []
        for d in dims {
            for m in measures {
                out.append(AggregationQuery(groupBy: d, measures: m))
                out.append(AggregationQuery(groupBy: d, measures: m, order: .valueDescending))
            }
        }
        return out
    }()

    @Test(arguments: [(0, UInt64(1)), (1, 2), (7, 3), (2_000, 4), (70_001, 5)])
    func fusedPathMatchesTheGeneralPath(rows: Int, seed: UInt64) throws {
        let aggregator = Aggregator(table: table(rows: rows, seed: seed))
        for q in Self.queries {
            let general = try aggregator.run(q, allowFused: false)
            let fused = try aggregator.run(q)
            #expect(same(fused, general), "\(q.groupBy.map(\.column)) \(q.measures.map(\.displayName))")
        }
    }

    @Test func queriesOutsideTheFusedPathStillWorkAndFail() throws {
        let aggregator = Aggregator(table: table(rows: 500, seed: 6))
        let fold = AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "revenue")], topN: 2)
        #expect(same(try aggregator.run(fold), try aggregator.run(fold, allowFused: false)))
        #expect(aggregator.fusedGroups(fold) != nil, "top N is left to the general path by run, not by fusedGroups")
        #expect(aggregator.fusedGroups(AggregationQuery(groupBy: [.init("units")], measures: [.init(.count)])) == nil)
        #expect(aggregator.fusedGroups(AggregationQuery(groupBy: [.init("region")], measures: [.init(.median, "revenue")])) == nil)
        #expect(throws: AggregationError.self) {
            try aggregator.run(AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "nope")]))
        }
        #expect(throws: AggregationError.self) {
            try aggregator.run(AggregationQuery(groupBy: [.init("region", bucket: .month)], measures: [.init(.count)]))
        }
        #expect(throws: AggregationError.self) {
            try aggregator.run(AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "product")]))
        }
    }

    @Test(arguments: [3, 60_000])
    func dayIndexMatchesDaysAndTheirRange(rows: Int) throws {
        let table = table(rows: rows, seed: 9)
        for name in ["order_day", "order_time"] {
            let column = try #require(table.column(named: name))
            let (days, span) = try #require(ColumnValues.daysWithSpan(column))
            let expected = try #require(ColumnValues.days(column))
            #expect(days == expected)
            let filled = expected.filter { $0 != ColumnValues.missingDay }
            #expect(span == (filled.isEmpty ? nil : filled.min()!...filled.max()!))
        }
        let empty = TestColumns.date("d", [nil, nil])
        #expect(try #require(ColumnValues.daysWithSpan(empty)).span == nil)
        // Dates without empty cells are used as stored.
        for values in [[Int32(5), -3, 9], (0..<60_000).map { Int32(($0 * 7919) % 1000) - 400 }] {
            let full = TestColumns.date("d", values)
            let (days, span) = try #require(ColumnValues.daysWithSpan(full))
            #expect(days == values && span == values.min()!...values.max()!)
        }
    }

    @Test(arguments: [1, 9, 70_001])
    func periodKeysMatchAStraightforwardLoop(rows: Int) throws {
        let table = table(rows: rows, seed: 13)
        let aggregator = Aggregator(table: table)
        for name in ["order_day", "order_time"] {
            let column = try #require(table.column(named: name))
            let days = try #require(ColumnValues.days(column))
            let filled = days.filter { $0 != ColumnValues.missingDay }
            for bucket in TimeBucket.allCases {
                let plain = try GroupKeys(column: column, bucket: bucket, mask: nil)
                let indexed = try GroupKeys(column: column, bucket: bucket, mask: nil, days: aggregator.days[name])
                guard let first = filled.min() else {
                    #expect(plain.labels.isEmpty)
                    continue
                }
                let base = bucket.ordinal(ofDay: Int(first))
                let expected = days.map { $0 == ColumnValues.missingDay ? Int32(-1) : Int32(bucket.ordinal(ofDay: Int($0)) - base) }
                let groups = Int(expected.max()!) + 1
                #expect(plain.keys == expected && indexed.keys == expected, "\(name) \(bucket)")
                #expect(plain.labels == (0..<groups).map { bucket.label(ofOrdinal: base + $0) } && indexed.labels == plain.labels)
                let counts = (0..<groups).map { g in expected.filter { $0 == Int32(g) }.count }
                #expect(plain.counts == counts && indexed.counts == counts, "\(name) \(bucket)")
            }
        }
    }

    @Test(arguments: [2, 70_001])
    func fractionalDaysAndTheirRangeMatchTheColumn(rows: Int) throws {
        let table = table(rows: rows, seed: 14)
        for name in ["order_day", "order_time"] {
            let column = try #require(table.column(named: name))
            let (days, first, last) = try #require(ColumnValues.fractionalDaysWithRange(column))
            let expected = try #require(ColumnValues.fractionalDays(column))
            #expect(days.map(\.bitPattern) == expected.map(\.bitPattern))
            let filled = expected.filter { !$0.isNaN }
            #expect(first == (filled.min() ?? .infinity) && last == (filled.max() ?? -.infinity))
        }
        #expect(ColumnValues.fractionalDaysWithRange(TestColumns.float("x", [1])) == nil)
    }
}
