import Foundation
import Testing
@testable import Analytics

/// The reader's shortcuts (plain numbers, first-byte rejections, packed word comparisons, the
/// word-at-a-time field scan) must give exactly what the general code gives, on tricky cells too.
@Suite("CSV reading: fast paths agree with the general code") struct ReaderFastPathTests {
    static let cells: [String] = [
        "0", "1", "7", "00", "01", "08123", "0.0", "0.05", "00.5", ".5", "5.", ".", ",", "1,5", "1.5", "12,345", "1,234.50",
        "1.234,50", "12.345.678", "123456789012345", "1234567890123456", "12345678901234567890", "999999999999999.5",
        "0.000000000000001", "1.0000000000000001", "9007199254740993", "-1", "+1", "-0", "-0.0", "$17.85", "$ 5", "£23,705",
        "¥100", "€4", "4.00 €", "4 €", "12%", "12.5%", "%", "1e5", "1E-3", "2e", "e5", "1e400", "1.5e-400", "--1", "1-", "1/2",
        "2022-01-01", "01/02/2023", "Jan 01, 2022", "South", "yes", "no", "NaN", "nan", "inf", "1 000", " 1", "1 ", "٣",
        "1\u{00A0}", "T", "x", "N/A", "#N/A", "***", "*", "-", "--", "---", "?", "MISSING", "Missing1", "nil", "NULL", "None",
        "TRUE", "True", "tRuE", "FALSE", "Y", "n", "F", "t", "yes!", "yess", "0", "1", "10", "North", "no ", "null\u{0}",
        // Dollars and percents (`dollarsOrPercent`), with what only the general parser accepts.
        "$05", "05%", "$5.", "$.5", "5.%", ".%", "$%", "$5%", "$0", "0%", "00%", "100%", "0.0%", "$0.00", "$123456789012345",
        "$1234567890123456", "123456789012345%", "1,5%", "$1,5", "12,5%", "$-5", "-5%", "$ 5%", "$$5", "5%%", "$5 ", "$.", "$,5",
    ]

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test(arguments: [false, true]) func numbersMatchTheGeneralParser(_ decimalComma: Bool) {
        for cell in Self.cells {
            let b = Self.bytes(cell)
            b.withUnsafeBufferPointer { buffer in
                let fast = CellParser.number(buffer, decimalComma: decimalComma)
                let general = CellParser.formattedNumber(buffer, decimalComma: decimalComma)
                #expect(fast?.value.bitPattern == general?.value.bitPattern, "\(cell)")
                #expect(fast?.isInteger == general?.isInteger, "\(cell)")
            }
        }
    }

    /// Spaces counted eight bytes at a time, against a byte count, at every length and offset.
    @Test func spacesAreCountedAtEveryOffset() {
        let text = Array("a b  c   d    e\u{00A0} f\t g  ".utf8) + Array(repeating: 0x20, count: 19) + Array("x y".utf8)
        text.withUnsafeBufferPointer { all in
            for start in 0..<text.count {
                for end in start...text.count {
                    let cell = UnsafeBufferPointer(rebasing: all[start..<end])
                    #expect(CellParser.spaceCount(cell) == cell.filter { $0 == 0x20 }.count)
                }
            }
        }
    }

    /// Cells whose first and last bytes settle trimming, against the byte loop, with every mix
    /// of spaces, tabs, no-break spaces, lone UTF-8 bytes and controls at either end.
    @Test func trimmingByTheEndBytesMatchesTheLoop() {
        let ends: [[UInt8]] = [[], [0x20], [0x09], [0xC2, 0xA0], [0xC2, 0xA0, 0x20], [0x20, 0xC2, 0xA0], [0xC2], [0xA0], [0x1F], [0x0A],
                               [0xC3, 0xA9], [0x78], [0x21], [0x7F], [0xE2, 0x82, 0xAC]]
        let middles: [[UInt8]] = [[], [0x78], [0x61, 0x20, 0x62], [0xC2, 0xA0], [0x20]]
        for lead in ends {
            for middle in middles {
                for trail in ends {
                    let cell = lead + middle + trail
                    cell.withUnsafeBufferPointer { b in
                        let fast = CellParser.trimmed(b), loop = CellParser.trimmedByLoop(b)
                        #expect(Array(fast) == Array(loop), "\(cell)")
                        #expect(fast.baseAddress == loop.baseAddress || fast.isEmpty, "\(cell)")
                    }
                }
            }
        }
    }

    /// Byte hashes read their last bytes four, two and one at a time: the same hash as a byte loop.
    @Test func byteHashTailsMatchTheByteLoop() {
        func reference(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
            var i = 0
            while i + 8 <= bytes.count {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(bytes[i + k]) << UInt64(8 * k) }
                h = RowHasher.mix(h, word)
                i += 8
            }
            var tail: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
            return RowHasher.mix(h, tail)
        }
        let data = (0..<48).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        data.withUnsafeBytes { all in
            for start in 0..<8 {
                for end in start...data.count {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<end])
                    #expect(RowHasher.bytesHash(slice) == reference(slice), "\(start)..<\(end)")
                }
            }
        }
    }

    /// Every digit string of up to 16 bytes with and without a point, against the general parser.
    @Test func plainNumbersOfEveryLength() {
        var cells: [String] = []
        let digits = Array("9071234567890123")
        for length in 1...16 {
            let whole = String(digits[0..<length])
            cells.append(whole)
            cells.append("0" + whole)
            for point in 0...length { cells.append(String(whole.prefix(point)) + "." + String(whole.dropFirst(point))) }
        }
        for cell in cells {
            Self.bytes(cell).withUnsafeBufferPointer { buffer in
                let fast = CellParser.number(buffer, decimalComma: false)
                let general = CellParser.formattedNumber(buffer, decimalComma: false)
                #expect(fast?.value.bitPattern == general?.value.bitPattern, "\(cell)")
                #expect(fast?.isInteger == general?.isInteger, "\(cell)")
            }
        }
    }

    @Test func nullTokensMatchTheWordList() {
        for cell in Self.cells + ["nA", "N/a", "NONE", "Nan", "nIl", "MiSsInG", "#n/A", "**", "n/", "non", "missin"] {
            Self.bytes(cell).withUnsafeBufferPointer { buffer in
                let expected = buffer.isEmpty || (buffer.count <= 8 && (buffer.allSatisfy { $0 == 0x2A }
                    || CellParser.nullTokens.contains { CellParser.equalsIgnoringCase(buffer, $0) }))
                #expect(CellParser.isNull(buffer) == expected, "\(cell)")
            }
        }
    }

    @Test func booleanWordsMatchTheWordList() {
        for cell in Self.cells + ["YES", "yEs", "fAlSe", "No", "T", "f", "2", "00", "truee"] {
            Self.bytes(cell).withUnsafeBufferPointer { buffer in
                var expected: Bool?
                var isDigit = false
                if buffer.count == 1 && (buffer[0] == 0x30 || buffer[0] == 0x31) {
                    expected = buffer[0] == 0x31
                    isDigit = true
                } else if CellParser.trueWords.contains(where: { CellParser.equalsIgnoringCase(buffer, $0) }) {
                    expected = true
                } else if CellParser.falseWords.contains(where: { CellParser.equalsIgnoringCase(buffer, $0) }) {
                    expected = false
                }
                switch CellParser.boolean(buffer) {
                case .word(let t)?: #expect(expected == t && !isDigit, "\(cell)")
                case .digit(let t)?: #expect(expected == t && isDigit, "\(cell)")
                case nil: #expect(expected == nil, "\(cell)")
                }
            }
        }
    }

    @Test func calendarDaysAreValidatedByMonthLength() {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for year in [1900, 2000, 2023, 2024] {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            for month in -1...14 {
                for day in -1...33 {
                    let valid = (1...12).contains(month) && day >= 1 && day <= (month == 2 ? (leap ? 29 : 28) : lengths[month - 1])
                    #expect(CivilDate.isValid(year: year, month: month, day: day) == valid, "\(year)-\(month)-\(day)")
                }
            }
        }
    }

    /// The scan skips the date parser on cells that read as decimal-point numbers: none may be a date.
    @Test func numbersAreNeverDates() {
        var cells = Self.cells + ["2022.01.01", "12.12.2020", "1.2.2023", "2020-01-01", "01/02/2023", "20220101", "1-1-2020", "12.5", "1.12.2023"]
        for a in ["1", "12", "123", "2024"] { for sep in [".", "-", "/", ","] { for b in ["1", "12"] { for c in ["1", "12", "2024"] { cells.append(a + sep + b + sep + c) } } } }
        for cell in cells {
            Array(cell.utf8).withUnsafeBufferPointer { buffer in
                if CellParser.number(buffer, decimalComma: false) != nil { #expect(DateParser.parse(buffer) == nil, "\(cell)") }
            }
        }
    }

    /// Word dates are recognised by their first byte before being split: separators first still work.
    @Test func wordDatesWithLeadingSeparatorsAndOtherWords() {
        func parse(_ s: String) -> DateParser.Parsed? { Array(s.utf8).withUnsafeBufferPointer { DateParser.parse($0) } }
        for cell in ["Jan 01, 2022", "jan 1 2000", "SEP 5, 2023", "-Jan-01-2022", ",Apr 05, 2023", " Dec 31 1999", "oct-2-2020",
                     "May 1, 2021", "Nov 30 2020", "Aug 9, 2024", "feb 28 2023", "Mar 3 2003", "Jun 6 2006", "Jul 7 2007"] {
            #expect(parse(cell) != nil, "\(cell)")
        }
        for cell in ["Customer 1, 2022", "Bolt Pack 2022", "Delivered on time", "Jan 32, 2022", "Feb 29, 2023", "xJan 01 2022", "South"] {
            #expect(parse(cell) == nil, "\(cell)")
        }
        #expect(parse("-Jan-01-2022") == DateParser.Parsed(year: 2022, first: 1, second: 1, ambiguous: false))
    }

    /// The tokenizer's records, field references, lines and errors, as a byte-by-byte reference
    /// tokenizer gives them, on many short random texts of quotes, delimiters, line ends, tabs,
    /// other control bytes and UTF-8, so every byte class lands at every offset of the word steps.
    @Test(arguments: [UInt8(0x2C), 0x09]) func tokenizerMatchesAByteLoop(_ delimiter: UInt8) {
        let alphabet: [[UInt8]] = [[0x61], [0x62, 0x63], [delimiter], [0x22], [0x22, 0x22], [0x0A], [0x0D], [0x0D, 0x0A], [0x09], [0x01],
                                   [0x0B], [0x0C], [0x0E], [0x20], [0xC3, 0xA9], [0x2C], [0x7F], [0x8E]]
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<3_000 {
            var text: [UInt8] = []
            let pieces = next(40)
            for _ in 0..<pieces { text += alphabet[next(alphabet.count)] }
            text.withUnsafeBufferPointer { buffer in
                var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, maxFieldBytes: 1 << 20, maxColumns: 1_000)
                var reference = ReferenceTokenizer(bytes: buffer, delimiter: delimiter)
                var fields: [UInt64] = []
                while true {
                    let got = Result { () throws(CSVError) in try tokenizer.nextRecord(into: &fields) ? fields : nil }
                    let expected = reference.nextRecord()
                    switch (got, expected) {
                    case (.success(let a), .success(let b)):
                        #expect(a == b, "\(text)")
                        #expect(tokenizer.line == reference.line && tokenizer.recordLine == reference.recordLine, "\(text)")
                        if a == nil || a != b { return }
                    case (.failure(let a), .failure(let b)):
                        #expect(a == b, "\(text)")
                        return
                    default:
                        Issue.record("\(text): \(got) against \(expected)")
                        return
                    }
                }
            }
        }
    }

    /// Words ruled out by their first three letters are exactly those the word-date parser rejects.
    @Test func monthPrefixTestMatchesTheWordDateParser() {
        var cells = Self.cells + ["Jan 01, 2022", "jan", "Ja", "J", "", "-", ",,Jan 1 2020", "- Feb 2 2021", "Ja n 1 2020", "Jan-1-2020",
                                  "January 5 2020", "Marching 3 2020", "South", "North", "Delivered on time #5", "Sprocket", "Doohickey",
                                  "Flange", "Spring", "May", "MAY 1 2021", "dec 31 1999", "Decimal 3 2003", "--", " ", "a", "apr"]
        for first in ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "jax", "fex", "sepx"] {
            cells += [first, first + " 1 2020", first.uppercased() + "-2-2021", " " + first + ",3,2022", first + "uary 4 2024"]
        }
        for cell in cells {
            Array(cell.utf8).withUnsafeBufferPointer { b in
                let word = DateParser.wordDate(b)
                if word != nil { #expect(DateParser.startsWithMonthName(b), "\(cell)") }
                let filtered = DateParser.startsWithMonthName(b) ? word : nil
                #expect(filtered == word, "\(cell)")
            }
        }
    }

    /// Fields of every length around the eight-byte steps, ended by the delimiter, LF, CRLF, CR or
    /// the end of the bytes, split as a byte-by-byte reference splitter splits them.
    @Test(arguments: [UInt8(0x2C), 0x3B, 0x09]) func fieldEndsAreFoundAtEveryOffset(_ delimiter: UInt8) throws {
        let d = String(UnicodeScalar(delimiter))
        for length in 0...19 {
            for ending in ["\n", "\r\n", "\r", ""] {
                let field = String((0..<length).map { Character(UnicodeScalar(0x61 + UInt8($0 % 26))) })
                let text = "x\(d)\(field)\(d)\(field)y" + ending + "z\(d)\(d)\(field)"
                let bytes = Array(text.utf8)
                let records = try bytes.withUnsafeBufferPointer { buffer in
                    var tokenizer = CSVTokenizer(bytes: buffer, delimiter: delimiter, maxFieldBytes: 1 << 20, maxColumns: 100)
                    var fields: [UInt64] = []
                    var out: [[String]] = []
                    while try tokenizer.nextRecord(into: &fields) { out.append(fields.map { CSVTokenizer.string($0, in: buffer) }) }
                    return out
                }
                if ending.isEmpty {
                    #expect(records == [["x", field, "\(field)yz", "", field]], "length \(length)")
                } else {
                    #expect(records == [["x", field, "\(field)y"], ["z", "", field]], "length \(length) ending \(Array(ending.utf8))")
                }
            }
        }
    }
}

/// Kept values go through per-batch slots, and a mapped file's pages are dropped once read: the
/// table must be the same as a plain in-memory read, row for row.
@Suite("CSV reading: batches and released pages") struct ReaderBatchTests {
    /// Rows with every kind of cell, nulls and short rows, over several batches.
    static func sample(rows: Int, noteLength: Int) -> String {
        var text = "id,amount,flag,day,region,note\n"
        let filler = String(repeating: "x", count: noteLength)
        for i in 0..<rows {
            let amount = i % 7 == 0 ? "" : "\(i).5"
            let flag = i % 3 == 0 ? "yes" : "no"
            let day = "2024-01-\(String(format: "%02d", i % 28 + 1))"
            let region = ["North", "South", "East", "West"][i % 4]
            if i % 97 == 5 {
                text += "\(i),\(amount),\(flag)\n"  // short row: day, region and note are null
            } else {
                text += "\(i),\(amount),\(flag),\(day),\(region),note \(i) \(filler)\n"
            }
        }
        return text
    }

    @Test func valuesLandInTheirRows() throws {
        let rows = 1_500
        let table = try CSVDatasetReader.read(data: Array(Self.sample(rows: rows, noteLength: 3).utf8)).table
        #expect(table.rowCount == rows)
        let id = try #require(table.column(named: "id")), amount = try #require(table.column(named: "amount"))
        let flag = try #require(table.column(named: "flag")), day = try #require(table.column(named: "day"))
        let region = try #require(table.column(named: "region")), note = try #require(table.column(named: "note"))
        #expect(id.type == .integer && amount.type == .float && flag.type == .boolean && day.type == .date)
        #expect(region.type == .category && note.type == .text)
        for i in 0..<rows {
            let short = i % 97 == 5
            #expect(id.double(at: i) == Double(i))
            #expect(amount.double(at: i) == (i % 7 == 0 ? nil : Double(i) + 0.5), "row \(i)")
            #expect(flag.string(at: i) == (i % 3 == 0 ? "true" : "false"), "row \(i)")
            #expect(day.string(at: i) == (short ? nil : "2024-01-\(String(format: "%02d", i % 28 + 1))"), "row \(i)")
            #expect(region.string(at: i) == (short ? nil : ["North", "South", "East", "West"][i % 4]), "row \(i)")
            #expect(note.string(at: i) == (short ? nil : "note \(i) xxx"), "row \(i)")
        }
    }

    /// Larger than two release steps per part, so every pass drops pages behind it.
    @Test func mappedFileWithReleasedPagesReadsLikeMemory() throws {
        let text = Self.sample(rows: 90_000, noteLength: 400)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lumina-released-pages-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(text.utf8.count > 4 * PageReleaser.step)
        let mapped = try CSVDatasetReader.read(fileAt: url)
        let memory = try CSVDatasetReader.read(data: Array(text.utf8))
        #expect(mapped.table == memory.table)
        #expect(mapped.rawRowCount == 90_000 && mapped.raggedRows == memory.raggedRows)
        #expect(mapped.warnings == memory.warnings)
    }
}

/// The tokenizer's rules one byte at a time, with no word steps: what `CSVTokenizer` must match.
private struct ReferenceTokenizer {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    var position = 0
    var line = 1
    var recordLine = 0

    mutating func nextRecord() -> Result<[UInt64]?, CSVError> {
        let n = bytes.count
        while position < n {
            let b = bytes[position]
            if b == 0x0A { position += 1 } else if b == 0x0D { position += (position + 1 < n && bytes[position + 1] == 0x0A) ? 2 : 1 } else { break }
            line += 1
        }
        guard position < n else { return .success(nil) }
        recordLine = line
        var fields: [UInt64] = []
        var i = position
        while true {
            let fieldLine = line, start = i
            var quoted = false, complex = false
            if i < n && bytes[i] == 0x22 {
                quoted = true
                i += 1
                var closed = false
                while i < n {
                    if bytes[i] == 0x22 {
                        if i + 1 < n && bytes[i + 1] == 0x22 { complex = true; i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if bytes[i] == 0x0A || (bytes[i] == 0x0D && !(i + 1 < n && bytes[i + 1] == 0x0A)) { line += 1 }
                    i += 1
                }
                if !closed { return .failure(.unterminatedQuote(line: fieldLine, column: fields.count + 1)) }
                while i < n && bytes[i] != delimiter && bytes[i] != 0x0A && bytes[i] != 0x0D { complex = true; i += 1 }
            } else {
                while i < n && bytes[i] != delimiter && bytes[i] != 0x0A && bytes[i] != 0x0D { i += 1 }
            }
            fields.append(CSVTokenizer.pack(start: start, length: i - start, quoted: quoted, complex: complex))
            if i < n && bytes[i] == delimiter {
                i += 1
                if i < n { continue }
                fields.append(CSVTokenizer.pack(start: n, length: 0, quoted: false, complex: false))
                break
            }
            if i < n {
                i += (bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
                line += 1
            }
            break
        }
        position = i
        return .success(fields)
    }
}
