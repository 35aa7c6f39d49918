import Foundation
import Testing
@testable import Analytics

/// Files nobody here wrote (../shared/data), read as an upload reads them.
enum SharedData {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    static func read(_ path: String) throws -> ReadResult {
        try CSVDatasetReader.read(fileAt: root.appendingPathComponent(path))
    }
}

@Suite("CSV reading: csv-spectrum") struct CSVSpectrumTests {
    static let names = ["comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "latin1", "newlines",
                        "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8"]

    @Test(arguments: names) func matchesTheExpectedRecords(_ name: String) throws {
        let result = try SharedData.read("messy/csv-spectrum/\(name).csv")
        let expectedData = try Data(contentsOf: SharedData.root.appendingPathComponent("messy/csv-spectrum/\(name).json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [[String: String]])
        #expect(result.table.rowCount == expected.count)
        for (row, record) in expected.enumerated() {
            for (key, value) in record {
                let column = try #require(result.table.column(named: key), "column \(key)")
                #expect((column.string(at: row) ?? "") == value, "row \(row) column \(key)")
            }
        }
    }

    @Test func leadingZeroCodesStayText() throws {
        let zip = try #require(try SharedData.read("messy/csv-spectrum/comma_in_quotes.csv").table.column(named: "zip"))
        #expect(zip.type != .integer)
        #expect(zip.string(at: 0) == "08123")
    }

    @Test func latin1IsReadAsWindows1252WithAWarning() throws {
        let result = try SharedData.read("messy/csv-spectrum/latin1.csv")
        #expect(result.encoding == .windows1252)
        #expect(result.warnings.contains { $0.code == "encoding_fallback" })
    }
}

@Suite("CSV reading: messy files") struct MessyFileTests {
    @Test func unterminatedQuoteNamesWhereItStarts() {
        #expect(throws: CSVError.unterminatedQuote(line: 1, column: 1)) { try SharedData.read("messy/duckdb-unterminated.csv") }
        #expect(CSVError.unterminatedQuote(line: 12, column: 4).description == "unterminated quote starting at line 12, column 4")
    }

    @Test func emptyFileIsRefused() {
        #expect(throws: CSVError.empty) { try SharedData.read("messy/frictionless-empty.csv") }
    }

    @Test func headerOnlyFileHasColumnsAndNoRows() throws {
        let result = try SharedData.read("messy/frictionless-header-only.csv")
        #expect(result.table.columns.map(\.name) == ["id", "name"])
        #expect(result.rawRowCount == 0)
    }

    @Test func utf16WithBOMIsTranscoded() throws {
        let nhs = try SharedData.read("messy/messytables-utf-16le_encoded.csv")
        #expect(nhs.encoding == .utf16LE)
        #expect(nhs.table.rowCount == 327)
        #expect(nhs.table.columns.count == 19)
        #expect(nhs.table.columns[1].name == "Organisation_name")
        let small = try SharedData.read("messy/csvw-test-utf16-bom.csv")
        #expect(small.encoding == .utf16LE)
        #expect(small.table.rowCount == 3)
    }

    @Test func delimitersAreSniffed() throws {
        let semicolon = try SharedData.read("messy/frictionless-issue-1138-semicolon-de.csv")
        #expect(semicolon.dialect.delimiter == ";")
        #expect(semicolon.table.rowCount == 7)
        let tabs = try SharedData.read("messy/messytables-example.tsv")
        #expect(tabs.dialect.delimiter == "\t")
        #expect(tabs.table.rowCount == 140)
        #expect(tabs.table.columns.count == 17)
        #expect(tabs.table.column(named: "hour")?.type == .datetime)
        let pipes = try SharedData.read("messy/messytables-simple.psv")
        #expect(pipes.dialect.delimiter == "|")
        #expect(pipes.dialect.lineEnding == "mixed")
        #expect(pipes.table.rowCount == 28)
        #expect(pipes.table.columns.count == 6)
    }

    @Test func raggedRowsArePaddedOrCutAndCounted() throws {
        let result = try SharedData.read("messy/frictionless-defective-rows.csv")
        #expect(result.table.columns.count == 3)
        #expect(result.raggedRows == 2)
        #expect(result.warnings.contains { $0.code == "ragged_rows" })
    }

    @Test func nulBytesStayInsideValues() throws {
        let result = try SharedData.read("messy/duckdb-nullbyte.csv")
        #expect(result.dialect.delimiter == "|")
        #expect(result.table.rowCount == 1)
        #expect(result.table.columns[1].string(at: 0) == "val\u{0}2")
    }

    @Test func veryWideFileKeepsEveryColumn() throws {
        let result = try SharedData.read("messy/frictionless-wide.csv")
        #expect(result.table.columns.count == 9074)
        #expect(result.table.rowCount == 3)
    }

    @Test func titleRowsAndCarriageReturnsAreHandled() throws {
        let result = try SharedData.read("messy/messytables-mixedGLB.csv")
        #expect(result.dialect.lineEnding == "CR")
        #expect(result.skippedTitleRows >= 2)
        #expect(result.table.columns.count == 19)
        #expect(result.table.columns.first?.name == "Year")
        #expect(result.table.columns.first?.type == .integer)
    }

    @Test func decimalCommaColumnsAreNumbers() throws {
        let result = try SharedData.read("messy/duckdb-decimal_separators.csv")
        let commas = try #require(result.table.column(named: "commas"))
        #expect(commas.type == .float)
        #expect(commas.double(at: 0) == 1.1)
        #expect(commas.double(at: 2) == 15300)
    }

    @Test func nullTokensAreMissingValues() throws {
        let result = try SharedData.read("messy/rustcsv-uspop-null.csv")
        let population = try #require(result.table.column(named: "Population"))
        #expect(population.type == .integer)
        #expect(population.validity.nullCount == 50)
    }
}

@Suite("CSV reading: real files") struct RealFileTests {
    @Test func strayTokensInNumericColumnsAreReportedNotFatal() throws {
        let weather = try SharedData.read("real/duckdb-weather.csv")
        let precipitation = try #require(weather.table.columns.first { $0.name.lowercased().contains("precip") })
        #expect(precipitation.type == .float)
        #expect(weather.warnings.contains { $0.code == "stray_values" && $0.column == precipitation.name })
        #expect(weather.table.rowCount == 366)
    }

    @Test func bomFileAndQuarterStrings() throws {
        let danish = try SharedData.read("real/statsmodels-danish_data.csv")
        #expect(danish.encoding == .utf8BOM)
        #expect(danish.table.rowCount == 55)
    }

    @Test func textualMonthDatesAreDates() throws {
        let stocks = try SharedData.read("real/vega-stocks.csv")
        #expect(stocks.table.column(named: "date")?.type == .date)
        #expect(stocks.table.column(named: "date")?.string(at: 0) == "2000-01-01")
        #expect(stocks.table.column(named: "symbol")?.type == .category)
        #expect(stocks.table.column(named: "price")?.type == .float)
    }

    @Test func everyRealFileReads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SharedData.root.appendingPathComponent("real").path)
        for file in files where file.hasSuffix(".csv") {
            let result = try SharedData.read("real/\(file)")
            #expect(result.table.rowCount > 0, "\(file)")
            #expect(result.table.columns.allSatisfy { $0.count == result.table.rowCount }, "\(file)")
        }
    }
}

@Suite("CSV reading: bad input") struct BadInputTests {
    @Test func pngIsNotText() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        #expect(throws: CSVError.notText(reason: "it is a PNG image")) { try CSVDatasetReader.read(data: png) }
    }

    static func gzip(_ text: String) throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", input.path]
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: input.path + ".gz") }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: input.path + ".gz")))
    }

    @Test func gzipIsExpanded() throws {
        let compressed = try Self.gzip("a,b\n1,x\n2,y\n")
        let result = try CSVDatasetReader.read(data: compressed)
        #expect(result.table.rowCount == 2)
        #expect(result.table.column(named: "a")?.type == .integer)
    }

    @Test func truncatedGzipIsRefused() throws {
        let compressed = try Self.gzip(String(repeating: "a,b\n1,x\n", count: 1000))
        #expect(throws: CSVError.truncatedGzip) { try CSVDatasetReader.read(data: Array(compressed.prefix(compressed.count / 2))) }
    }

    @Test func gzipBombIsRefused() throws {
        let compressed = try Self.gzip(String(repeating: "0", count: 5_000_000))
        var options = CSVReadOptions()
        options.maxExpandedBytes = 1_000_000
        #expect(throws: CSVError.gzipTooLarge(limit: 1_000_000)) { try CSVDatasetReader.read(data: compressed, options: options) }
    }
}

@Suite("Type inference") struct InferenceTests {
    static func column(_ values: [String]) throws -> Column {
        let text = "value\n" + values.map { "\"\($0)\"" }.joined(separator: "\n") + "\n"
        return try #require(CSVDatasetReader.read(data: Array(text.utf8)).table.columns.first)
    }

    @Test func formattedNumbers() throws {
        let money = try Self.column(["$1,234.50", "£23,705", "-25.00", "1.5e3", "12%"])
        #expect(money.type == .float)
        #expect(money.double(at: 0) == 1234.5)
        #expect(money.double(at: 1) == 23705)
        #expect(money.double(at: 2) == -25)
        #expect(money.double(at: 3) == 1500)
        #expect(money.double(at: 4) == 0.12)
    }

    @Test func nullTokens() throws {
        let column = try Self.column(["1", "NA", "N/A", "null", "-", "?", ".", "2"])
        #expect(column.type == .integer)
        #expect(column.validity.nullCount == 6)
    }

    @Test func dayFirstIsDecidedByTheData() throws {
        let dayFirst = try Self.column(["03/04/2024", "25/12/2024"])
        #expect(dayFirst.type == .date)
        #expect(dayFirst.string(at: 0) == "2024-04-03")
        let monthFirst = try Self.column(["03/04/2024", "12/25/2024"])
        #expect(monthFirst.string(at: 0) == "2024-03-04")
    }

    @Test func mixedDateFormatsWithTimesAreDatetimes() throws {
        let column = try Self.column(["2023-04-05", "04/06/2023", "Apr 07, 2023", "2023-04-08T13:45:07"])
        #expect(column.type == .datetime)
        #expect(column.string(at: 2) == "2023-04-07T00:00:00Z")
        #expect(column.string(at: 3) == "2023-04-08T13:45:07Z")
    }

    @Test func booleansNeedAWord() throws {
        #expect(try Self.column(["yes", "no", "1", "0", "Y", "FALSE"]).type == .boolean)
        #expect(try Self.column(["1", "0", "1"]).type == .integer)
    }
}

@Suite("CSV reading: large files read in parts") struct ReadingInPartsTests {
    static func read(_ text: String) throws -> ReadResult { try CSVDatasetReader.read(data: Array(text.utf8)) }

    @Test func quotedNewlinesAcrossPartBoundaries() throws {
        var text = "id,note,amount\n"
        for i in 0..<60_000 { text += "\(i),\"line one\nline \"\"two\"\", \(i)\",\(i).5\n" }
        let result = try Self.read(text)
        #expect(result.table.rowCount == 60_000)
        let note = try #require(result.table.column(named: "note"))
        #expect(note.string(at: 59_999) == "line one\nline \"two\", 59999")
        #expect(note.string(at: 30_000) == "line one\nline \"two\", 30000")
        #expect(result.table.column(named: "amount")?.double(at: 31_000) == 31_000.5)
    }

    @Test func strayQuotesInUnquotedFieldsGiveTheSequentialResult() throws {
        // One quote per line: quote parity says every other line end is inside quotes.
        var text = "id,size\n"
        for i in 0..<100_000 { text += "\(i),\(i % 7)\" pipe\n" }
        let result = try Self.read(text)
        #expect(result.table.rowCount == 100_000)
        #expect(result.table.column(named: "id")?.type == .integer)
        #expect(result.table.column(named: "id")?.double(at: 99_999) == 99_999)
        #expect(result.table.column(named: "size")?.string(at: 99_999) == "\(99_999 % 7)\" pipe")
    }

    @Test func errorsInLaterPartsNameTheirLine() {
        var text = "id,name\n"
        for i in 0..<150_000 { text += "\(i),x\n" }
        text += "150000,\"open\n150001,y\n"
        #expect(throws: CSVError.unterminatedQuote(line: 150_002, column: 2)) { try Self.read(text) }
    }

    @Test func aTypeTheFirstRowsDidNotShowIsReadAgain() throws {
        var text = "comma,words,late\n"
        for i in 0..<5_000 {
            text += i < 2_000 ? "12,12,\(i)\n" : "\"1,5\",word\(i % 3),\(i < 4_000 ? "\(i)" : "x\(i)")\n"
        }
        let result = try Self.read(text)
        let comma = try #require(result.table.column(named: "comma"))
        #expect(comma.type == .float)
        #expect(comma.double(at: 4_999) == 1.5)
        let words = try #require(result.table.column(named: "words"))
        #expect(words.type == .category)
        #expect(words.string(at: 0) == "12")
        #expect(words.string(at: 4_999) == "word\(4_999 % 3)")
        let late = try #require(result.table.column(named: "late"))
        #expect(late.type == .text)
        #expect(late.string(at: 3_999) == "3999")
        #expect(late.string(at: 4_999) == "x4999")
    }
}
