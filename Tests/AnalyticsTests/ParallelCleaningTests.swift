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

    /// Row sets of every shape: empty, full, single rows, runs across word boundaries, random.
    static func rowSets(rows: Int) -> [RowSet] {
        var state: UInt64 = 99
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        var sets = [RowSet(rows: rows), RowSet(rows: rows, all: true)]
        for density in [1, 2, 10, 50, 95, 99] {
            var set = RowSet(rows: rows)
            for r in 0..<rows where next(100) < density { set.insert(r) }
            sets.append(set)
        }
        var runs = RowSet(rows: rows)
        var r = 0
        while r < rows {
            let length = 1 + next(130)
            for k in r..<min(rows, r + length) { runs.insert(k) }
            r += length + next(70)
        }
        sets.append(runs)
        var ends = RowSet(rows: rows)
        for k in [0, 63, 64, 127, 128, rows - 1] where k >= 0 && k < rows { ends.insert(k) }
        sets.append(ends)
        return sets
    }

    /// Columns rebuilt for a subset of rows a run at a time hold what gathering row by row gives.
    @Test(arguments: [0, 1, 63, 64, 65, 1_000, 4_097]) func gatheringByRunsMatchesRowByRow(_ rows: Int) {
        let numbers = (0..<rows).map { Int64($0 * 7 - 3) }
        var validity = ValidityBitmap(count: rows)
        for k in 0..<rows where k % 3 == 0 || k % 67 == 5 { validity[k] = false }
        let text = TextStorage((0..<rows).map { k in k % 5 == 0 ? "" : String(repeating: "é", count: k % 4) + "v\(k)" })
        for set in Self.rowSets(rows: rows) {
            let members = Array(set)
            var runRows: [Int] = []
            set.forEachRun { run in
                #expect(run.count > 0)
                #expect(runRows.last.map { $0 + 1 < run.lowerBound } ?? true, "runs are maximal and ascending")
                runRows += Array(run)
            }
            #expect(runRows == members)
            #expect(numbers.gathering(set) == members.map { numbers[$0] })
            let bits = validity.gathering(set)
            #expect(bits.count == members.count)
            #expect(bits.nullCount == members.filter { !validity[$0] }.count)
            #expect((0..<members.count).allSatisfy { bits[$0] == validity[members[$0]] })
            // Unused bits of the last word stay clear, as everywhere else.
            if members.count % 64 != 0, let last = bits.words.last { #expect(last >> UInt64(members.count % 64) == 0) }
            let gathered = text.gather(rows: set)
            #expect(gathered == text.gather(rows: members))
        }
    }

    /// Trimming all-ASCII values by bytes gives what the Unicode-aware trimming of strings gives.
    @Test func asciiTrimmingMatchesStringTrimming() {
        let ends: [[UInt8]] = [[], [0x20], [0x09], [0x0A], [0x0B], [0x0C], [0x0D], [0x1C], [0x1F], [0x20, 0x09, 0x20], [0x78], [0x00], [0x7F]]
        let middles: [[UInt8]] = [[], [0x61], [0x61, 0x20, 0x62], [0x20], [0x0A]]
        for lead in ends {
            for middle in middles {
                for trail in ends {
                    let value = lead + middle + trail
                    value.withUnsafeBufferPointer { v in
                        let expected = String(decoding: v, as: UTF8.self).trimmingWhitespace()
                        let kept = WhitespaceTrimmer.asciiTrimmed(v)
                        #expect(kept.map { String(decoding: UnsafeBufferPointer(rebasing: v[$0]), as: UTF8.self) } == expected, "\(value)")
                    }
                }
            }
        }
        for value in ["\u{00A0}x", "x\u{2003}", "é ", " ü"] {
            Array(value.utf8).withUnsafeBufferPointer { #expect(WhitespaceTrimmer.asciiTrimmed($0) == nil, "\(value)") }
        }
    }

    /// Row hashes folded column by column from the bitmap's words: what folding cell by cell gives.
    @Test(arguments: [1_000, 60_001]) func rowHashesMatchCellByCell(_ rows: Int) {
        var table = Self.repetitiveTable(rows: rows)
        table.columns.append(TestColumns.date("day", (0..<rows).map { $0 % 11 == 0 ? nil : Int32($0 % 400) - 200 }))
        table.columns.append(Column(name: "stamp", type: .datetime, storage: .datetime((0..<rows).map { Int64($0) * 3_600 - 7 }),
                                    validity: ValidityBitmap(count: rows)))
        var expected = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: rows)
        for column in table.columns {
            for i in 0..<rows {
                let bits: UInt64
                if !column.isValid(i) {
                    bits = RowHasher.nullHash
                } else {
                    switch column.storage {
                    case .integer(let a): bits = UInt64(bitPattern: a[i])
                    case .float(let a): bits = (a[i] == 0 ? 0.0 : a[i]).bitPattern
                    case .boolean(let a): bits = a[i] ? 1 : 2
                    case .date(let a): bits = UInt64(bitPattern: Int64(a[i]))
                    case .datetime(let a): bits = UInt64(bitPattern: a[i])
                    case .category(let codes, _): bits = UInt64(codes[i])
                    case .text(let t): bits = t.withValue(i) { RowHasher.bytesHash(UnsafeRawBufferPointer($0)) }
                    }
                }
                expected[i] = RowHasher.mix(expected[i], bits)
            }
        }
        #expect(RowHasher.hashes(table) == expected)
    }

    /// Text cells are equal exactly when their strings are, whatever their lengths and bytes.
    @Test func textRowsAreEqualExactlyWhenTheirStringsAre() {
        let values: [String?] = [nil, "", "", "a", "a", "ab", "a\u{0}", "a\u{0}", "é", "e\u{301}", "long value of many bytes x",
                                 "long value of many bytes y", "long value of many bytes x", nil]
        let table = TestColumns.table([TestColumns.text("t", values)])
        for i in values.indices {
            for j in values.indices {
                #expect(RowHasher.rowsEqual(table, i, j) == (values[i] == nil ? values[j] == nil : values[j].map { Array($0.utf8) == Array(values[i]!.utf8) } ?? false),
                        "\(i) \(j)")
            }
        }
    }
}
