import Testing
@testable import Analytics

/// Cleaning consumes the table it is given and changes it where it lies; these check that a
/// caller sees the same cleaned data whether it hands its table over or keeps a copy, and that
/// a kept copy stays as it was.
struct CleaningHandOverTests {
    /// Enough rows for the columns to be cleaned on several cores, with every kind of mess:
    /// padded and mis-cased categories, formatted numbers, padded and blank notes, gaps, copies.
    static func messyTable(rows: Int = 60_000) -> Table {
        var rng = SeededRandom(seed: 11)
        var id: [Int64?] = [], region: [String?] = [], amount: [String?] = [], price: [Double?] = []
        var units: [Int64?] = [], returning: [Bool?] = [], note: [String?] = []
        // "North" and "South" are the commonest spellings, so they are the ones kept.
        let regions = ["North", "North", " north", "NORTH ", "South", "South", "south", "East\u{00A0}", "West"]
        let notes = ["  Paid by card ", "Delivered", "   ", "\u{00A0}gift\u{00A0}", "ok", "Line one\nline two "]
        for i in 0..<rows {
            // Every tenth row repeats the row before it.
            if i % 10 == 9 {
                id.append(id[i - 1]); region.append(region[i - 1]); amount.append(amount[i - 1]); price.append(price[i - 1])
                units.append(units[i - 1]); returning.append(returning[i - 1]); note.append(note[i - 1])
                continue
            }
            let gap = { (p: Double) in rng.uniform() < p }
            id.append(Int64(i))
            region.append(gap(0.03) ? nil : regions[Int(rng.next() % UInt64(regions.count))])
            amount.append(gap(0.02) ? nil : "$\(1 + rng.next() % 40),\(100 + rng.next() % 900)")
            price.append(gap(0.05) ? nil : 20 + rng.normal(sd: 3))
            units.append(gap(0.04) ? nil : Int64(rng.next() % 12))
            returning.append(gap(0.03) ? nil : rng.uniform() < 0.3)
            note.append(gap(0.1) ? nil : notes[Int(rng.next() % UInt64(notes.count))])
        }
        return TestColumns.table([
            TestColumns.integer("id", id), TestColumns.category("region", region), TestColumns.category("amount", amount),
            TestColumns.float("price", price), TestColumns.integer("units", units),
            TestColumns.boolean("returning", returning), TestColumns.text("note", note),
        ])
    }

    @Test func handingTheTableOverGivesTheSameResultAsKeepingIt() {
        let kept = Self.messyTable()
        let fromKept = Cleaner().clean(kept)
        let handedOver = Cleaner().clean(Self.messyTable())
        #expect(handedOver.table == fromKept.table)
        #expect(handedOver.report == fromKept.report)
        #expect(kept == Self.messyTable())
        #expect(handedOver.report.rowsAfter < handedOver.report.rowsBefore)
        #expect(handedOver.table.column(named: "amount")?.type == .integer)
        #expect(handedOver.table.column(named: "region").map { c in Set((0..<c.count).compactMap { c.string(at: $0) }) }
            == ["North", "South", "East", "West"])
    }

    @Test func trimsNotesAndKeepsTheValuesAfterThem() throws {
        let table = TestColumns.table([
            TestColumns.integer("n", [1, 2, 3, 4, 5, 6, 7, 8]),
            TestColumns.text("note", ["  a", "b", "   ", "c  ", "\u{00A0}dd\u{00A0}", nil, "e", " f g "]),
        ])
        let result = Cleaner().clean(table)
        let note = try #require(result.table.column(named: "note"))
        #expect((0..<note.count).map { note.string(at: $0) } == ["a", "b", nil, "c", "dd", nil, "e", "f g"])
        #expect(result.report.step(named: "Trimming")?.changed == 5)
        #expect(result.report.normalizedCells["note"] == 5)
    }

    @Test func countsNormalisedCellsOnlyOnTheRowsKept() throws {
        // Rows 0 and 2 are the same once " north" is trimmed and respelled; row 0 is kept.
        let table = TestColumns.table([
            TestColumns.category("region", ["North", "South", " north", "South "]),
            TestColumns.integer("units", [1, 2, 1, 3]),
        ])
        let result = Cleaner().clean(table)
        #expect(result.report.duplicatesRemoved == 1)
        #expect(result.report.step(named: "Trimming")?.changed == 2)
        #expect(result.report.normalizedCells["region"] == 1)
        let region = try #require(result.table.column(named: "region"))
        #expect((0..<region.count).map { region.string(at: $0) } == ["North", "South", "South"])
    }
}
