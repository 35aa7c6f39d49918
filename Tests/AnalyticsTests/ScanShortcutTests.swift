import Foundation
import Testing
@testable import Analytics

/// The column scan skips parsers whose answer it already knows (dates before numbers in a column
/// expected to hold dates, words before the decimal-comma reading), builds validity eight flags at
/// a time and reuses day numbers of neighbouring dates: each shortcut must give what the general
/// code gives.
@Suite("CSV reading: scan shortcuts agree with the general code") struct ScanShortcutTests {
    /// Date-like and number-like cells of many shapes, and words.
    static var cells: [String] {
        var cells = ReaderFastPathTests.cells + [
            "2022-01-01T22:14:52", "2022-01-01 10:00", "2022-01-01T10:00:00Z", "2022-01-01T10:00+02:00", "2024-02-30",
            "Apr 05, 2023", "-Jan-01-2022", ",Apr 05, 2023", "jan 1 2000", "Feb 29, 2023", "13/01/2024", "01/13/2024",
            "1.2.2024", "01.02.2024", "2024.01.05", "1,2,2024", "12-5-2024", "1.234.2024", "12.345.678", "1e5-1-1",
            "Delivered on time #557", "Multi-line", "n/a", "$1-1-2024", "+1-1-2024", "1-1-2024 €", "00/00/0000",
        ]
        for a in ["1", "01", "12", "31", "123", "2024"] {
            for sep in [".", "-", "/", ",", " "] {
                for b in ["1", "02", "12", "13", "123"] {
                    for c in ["1", "24", "2024", "2024 10:00", "2024T10:00:05"] { cells.append(a + sep + b + sep + c) }
                }
            }
        }
        return cells
    }

    /// The scan of a column expected to hold dates parses dates first and counts every date as a
    /// stray in both number readings and as no boolean: no date may read otherwise.
    @Test func datesAreNeverNumbersNorBooleans() {
        var dates = 0
        for cell in Self.cells {
            Array(cell.utf8).withUnsafeBufferPointer { buffer in
                guard DateParser.parse(buffer) != nil else { return }
                dates += 1
                #expect(CellParser.number(buffer, decimalComma: false) == nil, "\(cell)")
                #expect(CellParser.number(buffer, decimalComma: true) == nil, "\(cell)")
                #expect(CellParser.boolean(buffer) == nil, "\(cell)")
            }
        }
        #expect(dates > 100)
    }

    /// A cell whose first byte starts no number reads as no number with a decimal comma either.
    @Test func cellsThatStartNoNumberReadAsNone() {
        for cell in Self.cells + (0...255).map({ String(decoding: [UInt8($0), 0x31], as: UTF8.self) }) {
            Array(cell.utf8).withUnsafeBufferPointer { buffer in
                guard let first = buffer.first, !CellParser.canStartNumber(first) else { return }
                #expect(CellParser.number(buffer, decimalComma: false) == nil, "\(cell)")
                #expect(CellParser.number(buffer, decimalComma: true) == nil, "\(cell)")
            }
        }
    }

    /// Scans `cells` (one per row, from line 2) keeping `kept`, the way a part of a file is scanned.
    static func scan(_ cells: [String], kept: KeptValues) -> ColumnScan {
        var scan = ColumnScan(kept: kept, evaluates: true, capacity: cells.count)
        let batch = ColumnScan.CellBatch(kept: kept, capacity: 1)
        defer { batch.deallocate() }
        for (row, cell) in cells.enumerated() {
            Array(cell.utf8).withUnsafeBufferPointer { scan.add($0, line: row + 2, at: 0, in: batch) }
            scan.commit(1, from: batch)
        }
        return scan
    }

    /// Everything a scan gathered to decide the type, in comparable form.
    static func evidence(_ scan: ColumnScan) -> String {
        func strays(_ log: StrayLog) -> String {
            "\(log.count) \(log.tokens) \(log.samples.map { "\($0.line):\($0.value)" })"
        }
        let d = scan.dates
        return """
            rows \(scan.rows) present \(scan.present) boolean \(scan.booleanPossible) \(scan.booleanWords)
            point \(strays(scan.pointNumbers.strays)) \(scan.pointNumbers.integral)
            comma \(strays(scan.commaNumbers.strays)) \(scan.commaNumbers.integral)
            dates \(strays(d.strays)) \(d.dayFirst) \(d.monthFirst) \(d.hasTime) \(d.invalidMonthFirst) \(d.invalidDayFirst)
            """
    }

    /// A column expected to hold dates gathers the same evidence as one expected to hold text,
    /// whatever its cells: mostly dates, mostly numbers, or everything mixed.
    @Test func dateFirstScanGathersTheSameEvidence() {
        let all = Self.cells
        let mostlyDates = all.filter { cell in Array(cell.utf8).withUnsafeBufferPointer { DateParser.parse($0) != nil } } + ["x", "12", "1,5", ""]
        let mostlyNumbers = (0..<300).map { "\($0),5" } + ["2024-01-01", "n/a", "T"]
        for cells in [all, mostlyDates, mostlyNumbers, all.reversed()] {
            let general = Self.scan(cells, kept: .text)
            let dateFirst = Self.scan(cells, kept: .temporal)
            #expect(Self.evidence(dateFirst) == Self.evidence(general))
            #expect(ColumnInferrer.decide(dateFirst) == ColumnInferrer.decide(general))
        }
    }

    /// Validity built eight flags at a time equals validity built flag by flag, at every length
    /// around the word and byte steps.
    @Test func validityFromFlagsMatchesFlagByFlag() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...200 {
            for density in [0, 1, 2, 3] {
                let flags = (0..<count).map { _ in density == 0 ? false : density == 3 ? true : Int.random(in: 0..<3, using: &generator) < density }
                let bitmap = ValidityBitmap(flags)
                #expect(bitmap.count == count && bitmap.nullCount == flags.filter { !$0 }.count)
                #expect((0..<count).allSatisfy { bitmap[$0] == flags[$0] }, "count \(count)")
                // Bits past the end stay clear (word equality relies on it).
                if count % 64 != 0, let last = bitmap.words.last { #expect(last >> UInt64(count % 64) == 0) }
            }
        }
    }

    /// Neighbouring rows on the same day share its day number; times, day-first readings and
    /// impossible dates still land on the right rows.
    @Test func neighbouringDatesKeepTheirOwnTimes() throws {
        var text = "when,n\n"
        let times = ["2024-03-05 10:00", "2024-03-05 11:30", "2024-03-05 11:30", "2024-03-06 00:00", "2024-03-05 23:59", "2024-02-30 10:00",
                     "2024-02-30 11:00", "2024-03-06 01:00", "01/13/2024 10:00", "13/02/2024 10:00", "13/02/2024 11:00", "02/13/2024 12:00"]
        for (k, t) in times.enumerated() { text += "\(t),\(k)\n" }
        for k in 0..<100 { text += "2024-04-\(String(format: "%02d", k % 30 + 1)) 0\(k % 10):15,\(k)\n" }
        let result = try CSVDatasetReader.read(data: Array(text.utf8))
        let when = try #require(result.table.column(named: "when"))
        #expect(when.type == .datetime)
        #expect(when.string(at: 0) != when.string(at: 1))
        #expect(when.string(at: 1) == when.string(at: 2))
        #expect(when.string(at: 5) == nil && when.string(at: 6) == nil)
        #expect(when.string(at: 7) != nil && when.string(at: 7) != when.string(at: 3))
        // Month-first (01/13 says so): 13/02 is no calendar day, twice in a row.
        #expect(when.string(at: 8) != nil && when.string(at: 9) == nil && when.string(at: 10) == nil && when.string(at: 11) != nil)
        guard case .datetime(let stamps) = when.storage else { Issue.record("not datetime"); return }
        #expect(stamps[1] - stamps[0] == 5_400)
        #expect(stamps[3] - stamps[4] == 60)
        #expect(stamps[7] - stamps[3] == 3_600)
    }

    /// Records wider than the first field list grow it, field for field.
    @Test func wideRecordsGrowTheFieldList() throws {
        let header = (1...300).map { "c\($0)" }.joined(separator: ",")
        let row = (1...300).map { "\($0)" }.joined(separator: ",")
        let bytes = Array("\(header)\n\(row)\n".utf8)
        let records = try bytes.withUnsafeBufferPointer { buffer throws(CSVError) -> [[String]] in
            var tokenizer = CSVTokenizer(bytes: buffer, delimiter: 0x2C, maxFieldBytes: 1 << 20, maxColumns: 1_000)
            var fields = FieldList(capacity: 2)
            defer { fields.deallocate() }
            var out: [[String]] = []
            while try tokenizer.nextRecord(into: &fields) { out.append((0..<fields.count).map { CSVTokenizer.string(fields[$0], in: buffer) }) }
            return out
        }
        #expect(records == [(1...300).map { "c\($0)" }, (1...300).map { "\($0)" }])
    }

    /// A large buffer is validated in parts on all cores: the answer must be the one-pass answer,
    /// also when a character, a broken one or a stray continuation byte sits at a split.
    @Test func utf8ValidatedInPartsMatchesOnePass() {
        let count = 5 << 20
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        var cases: [[UInt8]] = []
        for cores in 2...4 {
            for k in 1..<cores {
                let split = count * k / cores
                for shift in -3...3 {
                    var whole = [UInt8](repeating: 0x61, count: count)
                    whole.replaceSubrange((split + shift)..<(split + shift + 3), with: euro)
                    cases.append(whole)
                    var broken = whole
                    broken[split + shift + 2] = 0x61  // the sequence ends early
                    cases.append(broken)
                    var stray = [UInt8](repeating: 0x61, count: count)
                    stray[split + shift] = 0x82  // a continuation byte with no start
                    cases.append(stray)
                }
            }
        }
        for bytes in cases {
            bytes.withUnsafeBufferPointer { buffer in
                #expect(TextDecoder.isValidUTF8(buffer) == TextDecoder.isValidUTF8(buffer, 0..<buffer.count))
            }
        }
        #expect(cases.filter { $0.withUnsafeBufferPointer { TextDecoder.isValidUTF8($0) } }.count == 42)
    }

    @Test func powersOfTenAreTheExactOnes() {
        for k in 0...22 { #expect(CellParser.powerOfTen(k) == CellParser.powersOfTen[k] && CellParser.powerOfTen(k) == pow(10, Double(k)), "\(k)") }
    }
}
