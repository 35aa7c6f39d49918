import Foundation
import Testing
@testable import Analytics

/// Cleaning's parallel paths must give exactly what the plain one-core code gives.
@Suite("Cleaning: parallel paths agree with the plain code") struct ParallelCleaningTests {
    /// `rows` rows drawn from a small pool, so many repeat; with gaps, NaN, −0.0 and +0.0, and
    /// text that differs only in its last byte (long values hash eight bytes at a time).
    static func repetitiveTable(rows: Int) -> Table {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        var ids: [Int64?] = [], prices: [Double?] = [], regions: [String?] = [], notes: [String?] = [], flags: [Bool?] = []
        for _ in 0..<rows {
            ids.append(next(50) == 0 ? nil : Int64(next(60)))
            prices.append([nil, .nan, -0.0, 0.0, 1.5, 2.25, 3][next(7)])
            regions.append([nil, "North", "South", " East"][next(4)])
            notes.append([nil, "", "a note that is longer than eight bytes x", "a note that is longer than eight bytes y"][next(4)])
            flags.append([nil, true, false][next(3)])
        }
        return TestColumns.table([
            TestColumns.integer("id", ids), TestColumns.float("price", prices), TestColumns.category("region", regions),
            TestColumns.text("note", notes), TestColumns.boolean("flag", flags),
        ])
    }

    @Test(arguments: [60_000, 200_000]) func duplicatesFoundInClassesMatchOnePass(_ rows: Int) {
        let table = Self.repetitiveTable(rows: rows)
        let parallel = Deduplicator.firstOccurrences(table)
        let plain = Deduplicator.firstOccurrencesInOnePass(table)
        #expect(parallel.duplicates == plain.duplicates)
        #expect(parallel.keep == plain.keep)
        // The definition, spelled out: a row repeats when an earlier row shows the same values
        // (a NaN equals nothing, so its row never repeats).
        var seen = Set<[String?]>()
        var naive = RowSet(rows: rows, all: true)
        for row in 0..<rows {
            let values = table.columns.map { $0.string(at: row) }
            if values.contains("NaN") { continue }
            if !seen.insert(values).inserted { naive.remove(row) }
        }
        #expect(plain.keep == naive)
        // The pool is small: most rows repeat, but rows with NaN never do.
        #expect(plain.duplicates > rows / 2)
        #expect(plain.duplicates < rows)
    }
}
