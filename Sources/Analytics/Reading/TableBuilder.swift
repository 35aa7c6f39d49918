import Foundation

/// Turns the bytes of a file into a table: finds the header below any title rows, makes column
/// names unique, lines the records up with the header and infers every column.
///
/// One pass over the data does both inference and typing: the first thousand rows give each
/// column's likely type, the pass keeps that type's values while gathering the evidence for every
/// type over all rows, and only a column whose type the whole file decides otherwise is read again.
/// Nothing is kept per cell but the typed value (text columns keep their bytes), so memory is the
/// file plus the typed table.
struct TableBuilder {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let encoding: TextEncoding
    let options: CSVReadOptions
    var warnings: [ReadWarning]
    /// Drops pages of `bytes` once read (see `PageReleaser`).
    var releaser: PageReleaser = .off
    /// One part, columns built one after another (see `CSVDatasetReader.read(buffer:…)`).
    var sequential = false

    static let headerProbe = 200
    static let guessRows = 1_000

    func build(progress: (Double) -> Void) throws(CSVError) -> ReadResult {
        var warnings = self.warnings
        // The first records, with where each ends, to find the header.
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: delimiter, maxFieldBytes: options.maxFieldBytes, maxColumns: options.maxColumns)
        var first: [[UInt64]] = []
        var ends: [(position: Int, line: Int)] = []
        var fields: [UInt64] = []
        while first.count < Self.headerProbe, try tokenizer.nextRecord(into: &fields) {
            first.append(fields)
            ends.append((tokenizer.position, tokenizer.line))
        }
        guard !first.isEmpty else { throw .empty }
        // The header is the first record with the usual width of the first rows and mostly filled in;
        // narrower or mostly empty ones above it are titles and notes (often padded with delimiters).
        var widthFrequency: [Int: (count: Int, first: Int)] = [:]
        for (r, record) in first.enumerated() {
            let seen = widthFrequency[record.count] ?? (0, r)
            widthFrequency[record.count] = (seen.count + 1, seen.first)
        }
        // The most frequent width; between equally frequent ones, the one seen first.
        let modal = widthFrequency.max { a, b in a.value.count < b.value.count || (a.value.count == b.value.count && a.value.first > b.value.first) }!.key
        let headerIndex = first.firstIndex { record in
            let filled = record.reduce(0) { $0 + (CSVTokenizer.length($1) > 0 ? 1 : 0) }
            return record.count >= modal && filled * 2 >= modal
        } ?? 0
        if headerIndex > 0 {
            warnings.append(ReadWarning(code: "title_rows_skipped",
                                        message: "\(headerIndex) title row(s) above the header were skipped.",
                                        column: nil, count: headerIndex,
                                        samples: first[0..<min(headerIndex, 3)].map { $0.first.map { CSVTokenizer.string($0, in: bytes) } ?? "" }))
        }
        let names = Self.uniqueNames(first[headerIndex].map { CSVTokenizer.string($0, in: bytes).trimmingCharacters(in: .whitespacesAndNewlines) })
        let width = names.count
        let dataStart = ends[headerIndex]
        let probeBytes = (ends.last?.position ?? 0) - dataStart.position
        let probeRecords = first.count - headerIndex - 1
        let bytesPerRecord = probeRecords > 0 ? Double(probeBytes) / Double(probeRecords) : 64

        // Guesses from the first rows.
        var textBytesPerValue: [Double]? = nil
        func scanner(_ kept: [KeptValues?], evaluates: Bool) -> ChunkScanner {
            ChunkScanner(bytes: bytes, delimiter: delimiter, options: options, width: width, kept: kept,
                         evaluates: evaluates, bytesPerRecord: bytesPerRecord, textBytesPerValue: textBytesPerValue, releaser: releaser,
                         maxParts: sequential ? 1 : .max)
        }
        var sample = try scanner(Array(repeating: .text, count: width), evaluates: true)
            .scanPart(from: dataStart.position, to: bytes.count, line: dataStart.line, maxRecords: Self.guessRows)
        textBytesPerValue = sample.scans.map { $0.rows > 0 ? Double($0.totalLength) / Double($0.rows) : 16 }
        let guesses: [KeptValues?] = (0..<width).map { c in
            let scan = sample.scans[c]
            switch ColumnInferrer.decide(scan)! {
            case .string: return ColumnInferrer.isCategory(scan) ? .category : .text
            case let decision: return ColumnInferrer.kept(for: decision)
            }
        }
        let decimalCommaHints = decimalCommaHints(from: dataStart, width: width)
        sample.scans = []
        progress(0.05)

        // Everything, in parallel parts.
        var parts = try scanner(guesses, evaluates: true).scanAll(from: dataStart.position, line: dataStart.line)
        progress(0.8)
        let rows = parts.reduce(0) { $0 + $1.records }
        let ragged = parts.reduce(0) { $0 + $1.ragged }
        if ragged > 0 {
            warnings.append(ReadWarning(code: "ragged_rows",
                                        message: "\(ragged) row(s) did not have \(width) fields: short rows were padded with empty cells, extra cells were dropped.",
                                        column: nil, count: ragged, samples: []))
        }
        // Each column merged, decided and built on its own, all columns on all cores: this is
        // mostly copying into fresh memory, which was the serial tail of the read.
        var perColumn = (0..<width).map { c in ColumnParts(column: c, scans: ChunkScanner.take(&parts, column: c)) }
        let merged = Parallel.update(&perColumn, parallel: !sequential && Parallel.worthIt(rows: rows)) { [names] column in
            column.mergeAndBuild(name: names[column.column])
        }
        perColumn = []
        var outcomes = merged.map(\.outcome)
        var evidence: [ColumnScan?] = merged.map(\.evidence)
        var decisions = merged.map(\.decision)
        // Expected to read with a decimal point but did not: gather all the evidence again.
        let undecided = (0..<width).filter { decisions[$0] == nil }
        if !undecided.isEmpty {
            let kept = (0..<width).map { c in undecided.contains(c) ? KeptValues.text : nil }
            var again = try scanner(kept, evaluates: true).scanAll(from: dataStart.position, line: dataStart.line)
            for c in undecided {
                let scan = ChunkScanner.merge(&again, column: c)
                let decision = ColumnInferrer.decide(scan)!
                decisions[c] = decision
                outcomes[c] = ColumnInferrer.build(name: names[c], decision: decision, evidence: scan, values: scan)
                var kept = scan
                kept.release()
                evidence[c] = kept
            }
        }
        let missing = (0..<width).filter { outcomes[$0] == nil }
        if !missing.isEmpty {
            let kept = (0..<width).map { c in missing.contains(c) ? ColumnInferrer.kept(for: decisions[c]!) : nil }
            var again = try scanner(kept, evaluates: false).scanAll(from: dataStart.position, line: dataStart.line)
            for c in missing {
                let values = ChunkScanner.merge(&again, column: c)
                outcomes[c] = ColumnInferrer.build(name: names[c], decision: decisions[c]!, evidence: evidence[c]!, values: values)
            }
        }
        var columns: [Column] = []
        var decimalComma = false
        for c in 0..<width {
            let outcome = outcomes[c]!
            if outcome.strayCount > 0 {
                warnings.append(ReadWarning(code: "stray_values",
                                            message: "\(outcome.strayCount) value(s) in \(outcome.column.type.rawValue) column '\(names[c])' could not be read and were left empty.",
                                            column: names[c], count: outcome.strayCount,
                                            samples: outcome.strayCells.map { "line \($0.line): \($0.value)" }))
            }
            if case .float = outcome.column.storage, decimalCommaHints[c] { decimalComma = true }
            columns.append(outcome.column)
        }
        if let header = HeaderCheck.warning(names: names, columns: columns) { warnings.append(header) }
        progress(1)
        var sawLF = tokenizer.sawLF, sawCRLF = tokenizer.sawCRLF, sawCR = tokenizer.sawCR
        for part in parts {
            sawLF = sawLF || part.sawLF
            sawCRLF = sawCRLF || part.sawCRLF
            sawCR = sawCR || part.sawCR
        }
        let lineEnding = [sawLF ? "LF" : nil, sawCRLF ? "CRLF" : nil, sawCR ? "CR" : nil].compactMap { $0 }
        let dialect = CSVDialect(delimiter: String(UnicodeScalar(delimiter)), quote: "\"",
                                 lineEnding: lineEnding.count > 1 ? "mixed" : lineEnding.first ?? "none",
                                 hasHeader: true, decimalComma: decimalComma)
        return ReadResult(table: Table(columns: columns, rowCount: rows), dialect: dialect, encoding: encoding,
                          rawRowCount: rows, skippedTitleRows: headerIndex, raggedRows: ragged, warnings: warnings)
    }

    /// One column's scans of every part, in file order, to be merged into its column.
    struct ColumnParts {
        var column: Int
        var scans: [ColumnScan]

        struct Merged: Sendable {
            var decision: ColumnInferrer.Decision?
            /// Nil when the decision needs values the scan did not keep (another pass must).
            var outcome: ColumnInferrer.Outcome?
            /// The merged evidence, without the values.
            var evidence: ColumnScan
        }

        /// Merges the parts (freeing them as it goes), decides the type and builds the column.
        mutating func mergeAndBuild(name: String) -> Merged {
            var scan = ChunkScanner.merge(&scans)
            scans = []
            let decision = ColumnInferrer.decide(scan)
            let outcome = decision.flatMap { ColumnInferrer.build(name: name, decision: $0, evidence: scan, values: scan) }
            // Keep only the evidence (no values) for columns that need another pass.
            scan.release()
            return Merged(decision: decision, outcome: outcome, evidence: scan)
        }
    }

    /// Per column, whether one of its first 200 values reads only with a decimal comma (`1,5`).
    private func decimalCommaHints(from start: (position: Int, line: Int), width: Int) -> [Bool] {
        var hints = [Bool](repeating: false, count: width)
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: delimiter, maxFieldBytes: options.maxFieldBytes,
                                     maxColumns: options.maxColumns, position: start.position, line: start.line)
        let scratch = ScratchBuffer()
        var fields: [UInt64] = []
        var records = 0
        while records < Self.headerProbe, (try? tokenizer.nextRecord(into: &fields)) == true {
            records += 1
            for c in 0..<min(width, fields.count) where !hints[c] {
                let value = CellParser.trimmed(CSVTokenizer.value(fields[c], in: bytes, scratch: scratch))
                if CellParser.number(value, decimalComma: false) == nil, CellParser.number(value, decimalComma: true) != nil { hints[c] = true }
            }
        }
        return hints
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
