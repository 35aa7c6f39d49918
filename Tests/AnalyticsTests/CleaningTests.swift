import Foundation
import Testing
@testable import Analytics

struct CleaningTests {
    /// 8 rows: padded and mis-cased regions, one exact duplicate (row 3 = row 1), gaps everywhere.
    func messyTable() -> Table {
        TestColumns.table([
            TestColumns.integer("id", [1, 2, 3, 2, 4, 5, 6, 7]),
            TestColumns.category("region", ["North", " north", "South", " north", "NORTH ", nil, "South", "North"]),
            TestColumns.float("price", [10, 12, nil, 12, 11, 1000, 13, 9]),
            TestColumns.integer("units", [1, 2, 3, 2, nil, 4, nil, 6]),
            TestColumns.boolean("returning", [true, false, nil, false, true, true, nil, false]),
            TestColumns.date("day", [100, 101, nil, 101, 103, 104, 105, 106]),
            TestColumns.text("note", ["a ", "b", nil, "b", "  c", nil, "d", nil]),
            TestColumns.float("mostly_empty", [nil, nil, nil, nil, nil, nil, 1, nil]),
        ])
    }

    @Test func reportsWhatEachStepChanged() throws {
        let input = messyTable()
        let result = Cleaner().clean(input)
        let r = result.report
        #expect(r.rowsBefore == 8)
        #expect(r.rowsAfter == 7)
        #expect(r.duplicatesRemoved == 1)
        #expect(r.columnsDropped == ["mostly_empty"])
        #expect(r.steps.map(\.name) == Cleaner.stepNames)
        // Trim: " north" twice and "NORTH " in region; "a " and "  c" in note (duplicate row included).
        #expect(r.step(named: "Trimming")?.changed == 5)
        // Spelling: "north" (2 cells) and "NORTH" merged into "North".
        #expect(r.step(named: "Normalising")?.changed == 3)
        // Counted over the rows that survive deduplication.
        #expect(r.normalizedCells["region"] == 2)
        #expect(r.normalizedCells["note"] == 2)
        #expect(r.imputed == ["id": 0, "region": 1, "price": 1, "units": 2, "returning": 2, "day": 0, "note": 0])
        let region = try #require(result.table.column(named: "region"))
        #expect((0..<region.count).map { region.string(at: $0) } == ["North", "North", "South", "North", "North", "South", "North"])
        let units = try #require(result.table.column(named: "units"))
        // Median of 1, 2, 3, 4, 6 is 3.
        #expect(units.double(at: 3) == 3 && units.type == .integer)
        let price = try #require(result.table.column(named: "price"))
        #expect(price.double(at: 2) == 11.5)
        #expect(result.table.column(named: "day")?.validity.nullCount == 1)
        #expect(result.table.column(named: "note")?.validity.nullCount == 3)
        #expect(result.table.column(named: "returning")?.validity.nullCount == 0)
    }

    @Test func leavesTheInputUntouchedAndIsDeterministic() {
        let input = messyTable()
        let copy = input
        let first = Cleaner().clean(input)
        let second = Cleaner().clean(input)
        #expect(input == copy)
        #expect(first.report == second.report)
        #expect(first.table == second.table)
    }

    @Test func announcesStepsInOrderWithRisingPercent() {
        var seen: [(String, Int)] = []
        _ = Cleaner().clean(messyTable()) { seen.append(($0, $1)) }
        #expect(seen.map(\.0) == Cleaner.stepNames + ["Done"])
        #expect(seen.map(\.1) == [0, 16, 33, 50, 66, 83, 100])
    }

    @Test func flagsOutliersWithoutRemovingThem() throws {
        var rng = SeededRandom(seed: 5)
        var prices: [Double?] = (0..<200).map { _ in 20 + rng.normal(sd: 2) }
        prices[17] = 2000
        let table = TestColumns.table([TestColumns.float("price", prices)])
        let result = Cleaner().clean(table)
        #expect(result.report.outliers["price"]?["robust_z"] == 1)
        #expect(result.table.column(named: "price")?.double(at: 17) == 2000)
        let details = try #require(result.report.step(named: "Flagging")?.details["price"])
        #expect(details["sample_rows"] == [17])
    }

    @Test func parsesCategoriesThatAreFormattedNumbers() throws {
        let table = TestColumns.table([TestColumns.category("amount", ["$1,200.50", "$35", nil, "(12)"])])
        let result = Cleaner().clean(table)
        let amount = try #require(result.table.column(named: "amount"))
        #expect(amount.type == .float)
        #expect(amount.double(at: 0) == 1200.5 && amount.double(at: 3) == -12)
        #expect(result.report.step(named: "Parsing")?.changed == 3)
    }

    @Test func encodesTheContractKeys() throws {
        let report = Cleaner().clean(messyTable()).report
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        #expect(Set(["rows_before", "rows_after", "duplicates_removed", "columns_dropped", "steps"]).isSubset(of: json.keys))
        let step = try #require((json["steps"] as? [[String: Any]])?.first)
        #expect(Set(step.keys) == ["name", "changed", "details"])
    }

    @Test func copesWithEmptyAndSingleRowTables() throws {
        for rows in [0, 1] {
            let table = TestColumns.table([
                TestColumns.date("day", Array(repeating: 19000, count: rows)),
                TestColumns.float("x", Array(repeating: nil, count: rows)),
                TestColumns.category("c", Array(repeating: "a", count: rows)),
            ])
            let cleaned = Cleaner().clean(table)
            #expect(cleaned.report.rowsAfter == rows)
            let profile = Profiler().profile(cleaned.table)
            #expect(profile.rowCount == rows)
            #expect(InsightDetector().detect(cleaned.table, profile: profile).isEmpty)
            let r = try Aggregator(table: cleaned.table).run(AggregationQuery(groupBy: [.init("day", bucket: .month)]))
            #expect(r.labels.count == rows)
        }
    }

    @Test func optionsCanKeepDuplicatesAndSkipImputation() {
        var options = CleaningOptions()
        options.removeDuplicates = false
        options.numericImputation = .none
        options.dropColumnsMissingFraction = nil
        let result = Cleaner(options: options).clean(messyTable())
        #expect(result.report.rowsAfter == 8)
        #expect(result.report.imputed["price"] == 0)
        #expect(result.report.columnsDropped.isEmpty)
    }
}
