import Analytics
import Foundation

/// A compact, exact fingerprint of what reading and cleaning make of a file (`--digest`): the
/// dialect, the warnings, every column's name, type, null count and a hash of every cell as
/// people read it, then the cleaning report and the cleaned table the same way. Two builds that
/// print the same digest for a file read and clean it identically, so a speed change can be
/// checked against the version before it on any file, not only on the benchmark's own checks.
enum BenchDigest {
    static func text(for url: URL) -> String {
        var lines: [String] = []
        let result: ReadResult
        do {
            result = try CSVDatasetReader.read(fileAt: url)
        } catch {
            return "read error: \(error)\n"
        }
        let d = result.dialect
        lines.append("dialect: delimiter \(d.delimiter.debugDescription) line ending \(d.lineEnding) decimal comma \(d.decimalComma)")
        lines.append("encoding: \(result.encoding) rows \(result.rawRowCount) title rows \(result.skippedTitleRows) ragged \(result.raggedRows)")
        for w in result.warnings {
            lines.append("warning: \(w.code) column \(w.column ?? "-") count \(w.count) samples \(w.samples) \(w.message)")
        }
        lines += table(result.table)
        let cleaning = Cleaner().clean(result.table)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let report = (try? encoder.encode(cleaning.report)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        lines.append("cleaning report: \(report)")
        lines += table(cleaning.table)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per column: name, type, cells, nulls and an FNV-1a hash of all cells' display strings.
    static func table(_ table: Table) -> [String] {
        var lines = ["table: \(table.rowCount) rows, \(table.columns.count) columns"]
        for column in table.columns {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for row in 0..<column.count {
                for byte in (column.string(at: row) ?? "\u{0}null").utf8 {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
                }
                hash = (hash ^ 0xFF) &* 0x100_0000_01B3
            }
            var line = "  \(column.name.debugDescription) \(column.type.rawValue) cells \(column.count) nulls \(column.validity.nullCount) hash \(String(hash, radix: 16))"
            // The dictionary's order too: codes are what later steps group and break ties by.
            if case .category(_, let dictionary) = column.storage { line += " dictionary \(dictionary)" }
            lines.append(line)
        }
        return lines
    }
}
