/// Turns tokenized records into a table: finds the header below any title rows, makes column names
/// unique, lines the records up with the header and infers every column.
struct TableBuilder {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: CSVTokenizer.Output
    let delimiter: UInt8
    let encoding: TextEncoding
    var warnings: [ReadWarning]

    func recordRange(_ r: Int) -> Range<Int> { (r == 0 ? 0 : tokens.recordEnds[r - 1])..<tokens.recordEnds[r] }

    func build(progress: (Double) -> Void) throws(CSVError) -> ReadResult {
        var warnings = self.warnings
        let records = tokens.recordEnds.count
        guard records > 0 else { throw .empty }
        // The header is the first record with the usual width of the first rows and mostly filled in;
        // narrower or mostly empty ones above it are titles and notes (often padded with delimiters).
        let probe = min(records, 200)
        var widthFrequency: [Int: (count: Int, first: Int)] = [:]
        for r in 0..<probe {
            let width = recordRange(r).count
            let seen = widthFrequency[width] ?? (0, r)
            widthFrequency[width] = (seen.count + 1, seen.first)
        }
        // The most frequent width; between equally frequent ones, the one seen first.
        let modal = widthFrequency.max { a, b in a.value.count < b.value.count || (a.value.count == b.value.count && a.value.first > b.value.first) }!.key
        let headerIndex = (0..<probe).first { r in
            let range = recordRange(r)
            let filled = range.reduce(0) { $0 + (CSVTokenizer.length(tokens.fields[$1]) > 0 ? 1 : 0) }
            return range.count >= modal && filled * 2 >= modal
        } ?? 0
        if headerIndex > 0 {
            warnings.append(ReadWarning(code: "title_rows_skipped",
                                        message: "\(headerIndex) title row(s) above the header were skipped.",
                                        column: nil, count: headerIndex,
                                        samples: (0..<min(headerIndex, 3)).map { text(recordRange($0).first.map { tokens.fields[$0] }) }))
        }
        let names = Self.uniqueNames(recordRange(headerIndex).map { text(tokens.fields[$0]).trimmingCharacters(in: .whitespacesAndNewlines) })
        let width = names.count
        let dataRecords = (headerIndex + 1)..<records
        var cells = [[UInt64?]](repeating: [], count: width)
        for c in 0..<width { cells[c].reserveCapacity(dataRecords.count) }
        var ragged = 0
        for r in dataRecords {
            let range = recordRange(r)
            if range.count != width { ragged += 1 }
            for c in 0..<width {
                cells[c].append(c < range.count ? tokens.fields[range.lowerBound + c] : nil)
            }
        }
        if ragged > 0 {
            warnings.append(ReadWarning(code: "ragged_rows",
                                        message: "\(ragged) row(s) did not have \(width) fields: short rows were padded with empty cells, extra cells were dropped.",
                                        column: nil, count: ragged, samples: []))
        }
        let inferrer = ColumnInferrer(bytes: bytes)
        var columns: [Column] = []
        var decimalComma = false
        for (c, name) in names.enumerated() {
            let outcome = inferrer.infer(name: name, cells: cells[c])
            if outcome.strayCount > 0 {
                warnings.append(ReadWarning(code: "stray_values",
                                            message: "\(outcome.strayCount) value(s) in \(outcome.column.type.rawValue) column '\(name)' could not be read and were left empty.",
                                            column: name, count: outcome.strayCount,
                                            samples: outcome.strayCells.map { "line \(tokens.recordLines[dataRecords.lowerBound + $0.row]): \($0.value)" }))
            }
            if case .float = outcome.column.storage, usesDecimalComma(cells[c]) { decimalComma = true }
            columns.append(outcome.column)
            progress(Double(c + 1) / Double(max(width, 1)))
        }
        let lineEnding = [tokens.sawLF ? "LF" : nil, tokens.sawCRLF ? "CRLF" : nil, tokens.sawCR ? "CR" : nil].compactMap { $0 }
        let dialect = CSVDialect(delimiter: String(UnicodeScalar(delimiter)), quote: "\"",
                                 lineEnding: lineEnding.count > 1 ? "mixed" : lineEnding.first ?? "none",
                                 hasHeader: true, decimalComma: decimalComma)
        return ReadResult(table: Table(columns: columns, rowCount: dataRecords.count), dialect: dialect, encoding: encoding,
                          rawRowCount: dataRecords.count, skippedTitleRows: headerIndex, raggedRows: ragged, warnings: warnings)
    }

    private func text(_ ref: UInt64?) -> String {
        guard let ref else { return "" }
        return String(decoding: CSVTokenizer.value(ref, in: bytes), as: UTF8.self)
    }

    private func usesDecimalComma(_ cells: [UInt64?]) -> Bool {
        for ref in cells.prefix(200) {
            guard let ref else { continue }
            let value = CellParser.trimmed(CSVTokenizer.value(ref, in: bytes))
            if CellParser.number(value, decimalComma: false) == nil, CellParser.number(value, decimalComma: true) != nil { return true }
        }
        return false
    }

    /// Blank names become `column_N`; repeated names get `_2`, `_3`…
    static func uniqueNames(_ raw: [String]) -> [String] {
        var seen: [String: Int] = [:]
        var result: [String] = []
        for (index, name) in raw.enumerated() {
            var candidate = name.isEmpty ? "column_\(index + 1)" : name
            if let count = seen[candidate] {
                var n = count + 1
                while seen["\(candidate)_\(n)"] != nil { n += 1 }
                seen[candidate] = n
                candidate = "\(candidate)_\(n)"
            }
            seen[candidate] = seen[candidate] ?? 1
            result.append(candidate)
        }
        return result
    }
}

import Foundation
