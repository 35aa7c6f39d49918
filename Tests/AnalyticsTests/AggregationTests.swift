import Foundation
import Testing
@testable import Analytics

struct AggregationTests {
    /// Six sales over 2024-01-01 (Monday) … 2024-04-02.
    func sales() -> Table {
        let d = { (y: Int, m: Int, day: Int) in Int32(CivilDate(year: y, month: m, day: day).days) }
        return TestColumns.table([
            TestColumns.date("day", [d(2024, 1, 1), d(2024, 1, 3), d(2024, 1, 8), d(2024, 2, 15), d(2024, 4, 2), nil]),
            TestColumns.category("region", ["North", "South", "North", "East", "West", "North"]),
            TestColumns.category("product", ["A", "B", "A", "A", "B", "B"]),
            TestColumns.float("revenue", [10, 20, 30, 40, 50, nil]),
            TestColumns.integer("units", [1, 2, 3, 4, 5, 6]),
            TestColumns.text("note", ["gift wrap", nil, "Gift card", "x", "y", "z"]),
        ])
    }

    func run(_ q: AggregationQuery) throws -> AggregationResult { try Aggregator(table: sales()).run(q) }

    @Test func groupsByCategoryWithSeveralMeasures() throws {
        let r = try run(AggregationQuery(groupBy: [.init("region")], measures: [
            .init(.sum, "revenue"), .init(.count), .init(.mean, "revenue"), .init(.min, "units"), .init(.max, "units"),
            .init(.median, "units"), .init(.countDistinct, "product"),
        ]))
        #expect(r.labels == ["East", "North", "South", "West"])
        #expect(r.series[0].values == [40, 40, 20, 50])
        #expect(r.series[1].values == [1, 3, 1, 1])
        #expect(r.series[2].values == [40, 20, 20, 50])
        #expect(r.series[3].values == [4, 1, 2, 5] && r.series[4].values == [4, 6, 2, 5])
        #expect(r.series[5].values == [4, 3, 2, 5])
        #expect(r.series[6].values == [1, 2, 1, 1])
        #expect(r.series[0].name == "sum(revenue)")
    }

    @Test func bucketsTimeByDayWeekMonthQuarterYear() throws {
        func labels(_ b: TimeBucket) throws -> ([String], [Double?], Int) {
            let r = try run(AggregationQuery(groupBy: [.init("day", bucket: b)], measures: [.init(.sum, "revenue")]))
            return (r.labels, r.series[0].values, r.rowsWithoutKey)
        }
        #expect(try labels(.day).0 == ["2024-01-01", "2024-01-03", "2024-01-08", "2024-02-15", "2024-04-02"])
        let week = try labels(.week)
        #expect(week.0 == ["2024-01-01", "2024-01-08", "2024-02-12", "2024-04-01"])
        #expect(week.1 == [30, 30, 40, 50])
        #expect(week.2 == 1)
        #expect(try labels(.month).0 == ["2024-01", "2024-02", "2024-04"])
        #expect(try labels(.quarter) .1 == [100, 50])
        #expect(try labels(.year).0 == ["2024"])
    }

    @Test func appliesFilters() throws {
        func total(_ f: [AggregationQuery.Filter]) throws -> Double? {
            try run(AggregationQuery(measures: [.init(.sum, "units")], filters: f)).value
        }
        #expect(try total([.equals(column: "region", value: "North")]) == 10)
        #expect(try total([.oneOf(column: "region", values: ["East", "West"])]) == 9)
        #expect(try total([.range(column: "revenue", min: 20, max: 40)]) == 9)
        #expect(try total([.contains(column: "note", text: "GIFT")]) == 4)
        #expect(try total([.isNull(column: "revenue", isNull: true)]) == 6)
        #expect(try total([.isNull(column: "day", isNull: false), .equals(column: "product", value: "B")]) == 7)
    }

    @Test func foldsAllButTheTopGroupsIntoOtherExactly() throws {
        let r = try run(AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "units"), .init(.mean, "units")], topN: 2))
        #expect(r.labels == ["North", "West", "Other"])
        #expect(r.series[0].values == [10, 5, 6])
        // The mean of Other is over its rows (2 and 4), not a mean of group means.
        #expect(r.series[1].values[2] == 3)
    }

    @Test func crossesTwoDimensionsIntoOneSeriesPerSecondKey() throws {
        let r = try run(AggregationQuery(groupBy: [.init("day", bucket: .month), .init("product")], measures: [.init(.sum, "units")]))
        #expect(r.labels == ["2024-01", "2024-02", "2024-04"])
        #expect(r.series.map(\.name) == ["A", "B"])
        #expect(r.series[0].values == [4, 4, nil])
        #expect(r.series[1].values == [2, nil, 5])
    }

    @Test func sortsBarsByValueWhenAsked() throws {
        let r = try run(AggregationQuery(groupBy: [.init("region")], measures: [.init(.sum, "units")], order: .valueDescending))
        #expect(r.labels == ["North", "West", "East", "South"])
    }

    @Test func binsAHistogram() throws {
        let r = try run(AggregationQuery(histogram: .init(column: "units", bins: 5)))
        #expect(r.series[0].values == [1, 1, 1, 1, 2])
        #expect(r.labels.first == "1–2")
    }

    @Test func rejectsUnknownColumnsAndBadBuckets() {
        #expect(throws: AggregationError.unknownColumn("nope")) {
            try run(AggregationQuery(groupBy: [.init("nope")]))
        }
        #expect(throws: AggregationError.bucketOnNonTemporal("region")) {
            try run(AggregationQuery(groupBy: [.init("region", bucket: .month)]))
        }
        #expect(throws: AggregationError.notNumeric(column: "region", function: "sum")) {
            try run(AggregationQuery(measures: [.init(.sum, "region")]))
        }
    }

    @Test func civilDatesRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let c = CivilDate(days: days)
            #expect(c.days == days)
        }
        #expect(CivilDate(days: 0).isoString == "1970-01-01")
        #expect(CivilDate(year: 2024, month: 2, day: 29).days == 19782)
    }
}
