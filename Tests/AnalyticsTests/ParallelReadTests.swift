import Foundation
import Testing
@testable import Analytics

/// A large file is read in parts on all cores, its first part sized for the whole file so the
/// later parts are appended where it lies, and its columns merged and built on all cores. The
/// result must be exactly that of reading it in one part and building the columns one by one.
@Suite("CSV reading: parts and parallel column building agree with one sequential read") struct ParallelReadTests {
    /// A messy file of `rows` rows whose later rows differ from its first ones: text values grow
    /// longer (the byte buffers sized from the first rows must grow), an integer column meets a
    /// fraction, a category column meets too many distinct values, and another column a decimal
    /// comma (read again), so every merge and rebuild path runs.
    static func messyFile(rows: Int) -> [UInt8] {
        var state: UInt64 = 0x1234_5678
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let regions = ["North", " north", "SOUTH ", "East", "west", "Central", "NA", ""]
        let dates = ["2022-01-0%d", "0%d/02/2022", "\"Jan 0%d, 2022\"", "2022-03-0%dT10:11:12", "", "-"]
        var text = "id,count,amount,when,region,code,note,flag,late\n"
        for i in 0..<rows {
            let r = next()
            let late = i > rows * 3 / 4
            let count = late && r % 97 == 0 ? "\(r % 50).5" : (r % 31 == 0 ? "" : "\(r % 50)")
            let amount = ["$\(r % 900).25", "\(r % 100)%", "\(r % 1000).5", "\"1,\(100 + r % 900).00\"", "T", ""][r % 6]
            let when = String(format: dates[r % dates.count], 1 + r % 9)
            let code = late ? "c\(r % 5_000)" : "c\(r % 20)"
            let note: String
            switch r % 5 {
            case 0: note = "\"said \"\"hi\"\", twice\nthen left #\(r % 1000)\""
            case 1: note = late ? String(repeating: "long words here ", count: 1 + r % 12) : "short"
            case 2: note = "  padded #\(r % 77) "
            case 3: note = ""
            default: note = "plain note #\(r)"
            }
            let flag = ["yes", "no", "Y", "0", "1", "FALSE", ""][r % 7]
            let lateValue = i > rows / 2 && r % 3 == 0 ? "\"\(r % 10),5\"" : "\(r % 10)"
            text += "\(i),\(count),\(amount),\(when),\(regions[r % regions.count]),\(code),\(note),\(flag),\(lateValue)\n"
        }
        return Array(text.utf8)
    }

    static func read(_ bytes: [UInt8], sequential: Bool) throws -> ReadResult {
        try bytes.withUnsafeBufferPointer { buffer in
            try CSVDatasetReader.read(buffer: buffer, options: .init(), progress: { _ in }, sequential: sequential)
        }
    }

    @Test func partsGiveTheSequentialTable() throws {
        let bytes = Self.messyFile(rows: 120_000)
        #expect(bytes.count > 2 << 20)
        let parallel = try Self.read(bytes, sequential: false)
        let sequential = try Self.read(bytes, sequential: true)
        #expect(parallel.table.rowCount == 120_000)
        #expect(parallel.table.columns.map(\.name) == sequential.table.columns.map(\.name))
        if ProcessInfo.processInfo.environment["PARALLEL_READ_DUMP"] != nil { try Data(bytes).write(to: URL(fileURLWithPath: "/tmp/parallel-read.csv")) }
        for (a, b) in zip(parallel.table.columns, sequential.table.columns) {
            #expect(a.type == b.type, "\(a.name)")
            #expect(a.validity == b.validity, "\(a.name)")
            let differing = (0..<a.count).first { a.string(at: $0) != b.string(at: $0) }
            #expect(differing == nil, "\(a.name) row \(differing ?? -1): \(differing.flatMap { a.string(at: $0) } ?? "-") against \(differing.flatMap { b.string(at: $0) } ?? "-")")
            // Whole columns compared only when equal (a failing comparison would print them).
            #expect(a == b ? true : false, "\(a.name) differs in storage")
        }
        #expect(parallel.table == sequential.table ? true : false)
        #expect(parallel.warnings == sequential.warnings)
        #expect(parallel.dialect == sequential.dialect)
        #expect(parallel.rawRowCount == sequential.rawRowCount)
        // The paths above really ran.
        let types = Dictionary(uniqueKeysWithValues: parallel.table.columns.map { ($0.name, $0.type) })
        #expect(types["count"] == .float)
        #expect(types["code"] == .text)
        #expect(types["note"] == .text)
        #expect(types["region"] == .category)
        #expect(types["late"] == .float)
    }

    /// Text buffers sized far too small or far too large for the values still hold exactly them.
    @Test(arguments: [0.0, 1.0, 400.0]) func textBufferSizingChangesNothing(_ bytesPerValue: Double) throws {
        let bytes = Self.messyFile(rows: 30_000)
        try bytes.withUnsafeBufferPointer { buffer in
            var tokenizer = CSVTokenizer(bytes: buffer, delimiter: 0x2C, maxFieldBytes: 1 << 20, maxColumns: 100)
            var header: [UInt64] = []
            _ = try tokenizer.nextRecord(into: &header)
            let width = header.count
            func scanner(_ perValue: [Double]?) -> ChunkScanner {
                ChunkScanner(bytes: buffer, delimiter: 0x2C, options: .init(), width: width, kept: Array(repeating: .text, count: width),
                             evaluates: true, bytesPerRecord: 80, textBytesPerValue: perValue)
            }
            let plain = try scanner(nil).scanPart(from: tokenizer.position, to: buffer.count, line: 2)
            let sized = try scanner(Array(repeating: bytesPerValue, count: width))
                .scanPart(from: tokenizer.position, to: buffer.count / 2, line: 2, sizedTo: buffer.count)
            let rest = try scanner(Array(repeating: bytesPerValue, count: width)).scanPart(from: sized.end, to: buffer.count, line: 1)
            for c in 0..<width {
                var parts = [sized.scans[c], rest.scans[c]]
                let merged = ChunkScanner.merge(&parts)
                #expect(merged.rows == plain.scans[c].rows)
                #expect(merged.validity == plain.scans[c].validity)
                #expect(merged.text.finish() == plain.scans[c].text.finish(), "column \(c)")
            }
        }
    }

    /// Marked bytes counted by a multiplication: the population count, for every set of marked bytes.
    @Test func markedBytesAreCountedExactly() {
        for pattern in 0..<256 {
            var word: UInt64 = 0x4142_4344_4546_4748
            for k in 0..<8 where pattern >> k & 1 == 1 { word &= ~(0xFF << UInt64(8 * k)) }
            let marks = CSVTokenizer.zeroBytes(word)
            #expect(CSVTokenizer.markedByteCount(marks) == marks.nonzeroBitCount)
            #expect(marks.nonzeroBitCount == pattern.nonzeroBitCount)
        }
    }

    /// Quotes counted eight bytes at a time (part boundaries go by their parity), against a byte count.
    @Test func quotesAreCountedAtEveryOffset() {
        let text = Array("a\"b\"\"c,\"\"\"\"\"\"\"\"\"x\n\"é\"".utf8) + Array(repeating: 0x22, count: 13) + Array("z\"".utf8)
        text.withUnsafeBufferPointer { buffer in
            let scanner = ChunkScanner(bytes: buffer, delimiter: 0x2C, options: .init(), width: 1, kept: [.text], evaluates: false, bytesPerRecord: 10)
            for start in 0..<text.count {
                for end in start...text.count {
                    #expect(scanner.quoteCount(start..<end) == text[start..<end].filter { $0 == 0x22 }.count)
                }
            }
        }
    }

    /// Short values compared as one number give the codes of a plain dictionary of byte arrays,
    /// values differing only in trailing zero bytes or length included, and honour the limit.
    @Test func byteDictionaryCodesMatchAPlainDictionary() {
        var state: UInt64 = 5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0x20, 0xC3, 0xFF]
        for limit in [3, 40, 10_000] {
            var dictionary = ByteDictionary()
            var reference: [[UInt8]: UInt32] = [:]
            var order: [[UInt8]] = []
            for _ in 0..<5_000 {
                let value = (0..<next(12)).map { _ in alphabet[next(next(2) == 0 ? 2 : alphabet.count)] }
                let code = value.withUnsafeBufferPointer { dictionary.code(of: $0, limit: limit) }
                if let known = reference[value] {
                    #expect(code == known, "\(value)")
                } else if order.count < limit {
                    #expect(code == UInt32(order.count), "\(value)")
                    reference[value] = UInt32(order.count)
                    order.append(value)
                } else {
                    #expect(code == nil, "\(value)")
                }
            }
            #expect(dictionary.strings == order.map { String(decoding: $0, as: UTF8.self) })
            for (k, value) in order.enumerated() { dictionary.withEntry(k) { #expect(Array($0) == value) } }
        }
    }
}
