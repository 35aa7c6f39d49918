import Foundation

extension Cleaner {
    /// Reports the types the reader parsed and converts categories that are formatted numbers.
    func parseStep(_ table: inout Table) -> CleaningReport.Step {
        var details: [String: JSONValue] = [:]
        var total = 0
        for i in table.columns.indices {
            let column = table.columns[i]
            if options.parseFormattedValues, let (out, changed) = FormattedNumberParser.parse(column) {
                table.columns[i] = out
                total += changed
                details[column.name] = ["from": "category", "to": .string(out.type.rawValue), "cells": .int(changed)]
            } else if column.type != .category && column.type != .text {
                // Typed while reading ($1,234.50, 12%, mixed date formats, yes/no): say so.
                details[column.name] = ["type": .string(column.type.rawValue),
                                        "parsed_cells": .int(column.count - column.validity.nullCount)]
            }
        }
        return .init(name: Self.stepNames[2], changed: total, details: details)
    }

    /// Drops mostly-empty columns (and rows, when asked), then imputes per column.
    func missingValues(_ table: inout Table) -> (CleaningReport.Step, dropped: [String], imputed: [String: Int]) {
        var dropped: [String] = []
        var details: [String: JSONValue] = [:]
        if let limit = options.dropColumnsMissingFraction, table.rowCount > 0 {
            let keep = table.columns.filter { Double($0.validity.nullCount) / Double(table.rowCount) <= limit }
            for c in table.columns where !keep.contains(where: { $0.name == c.name }) {
                dropped.append(c.name)
                details[c.name] = ["strategy": "drop_column", "missing": .int(c.validity.nullCount)]
            }
            table = Table(columns: keep, rowCount: table.rowCount)
        }
        var rowsDropped = 0
        if let limit = options.dropRowsMissingFraction, !table.columns.isEmpty {
            var keep: [Int] = []
            let width = Double(table.columns.count)
            for r in 0..<table.rowCount {
                let empty = table.columns.reduce(0) { $0 + ($1.isValid(r) ? 0 : 1) }
                if Double(empty) / width <= limit { keep.append(r) }
            }
            rowsDropped = table.rowCount - keep.count
            if rowsDropped > 0 {
                table = Table(columns: table.columns.map { ColumnRebuilding.gather($0, rows: keep) }, rowCount: keep.count)
            }
            details["rows_dropped"] = .int(rowsDropped)
        }
        var imputed: [String: Int] = [:]
        var total = rowsDropped
        let options = self.options
        // A core's worth of columns at a time, each replacing its input at once (see `mapInBatches`).
        var outcomes: [MissingValueHandler.Outcome] = []
        let batch = Parallel.worthIt(rows: table.rowCount) ? max(1, ProcessInfo.processInfo.activeProcessorCount) : max(1, table.columns.count)
        for start in stride(from: 0, to: table.columns.count, by: batch) {
            let range = start..<min(start + batch, table.columns.count)
            let done = Parallel.map(Array(table.columns[range]), parallel: Parallel.worthIt(rows: table.rowCount)) {
                MissingValueHandler.handle($0, options: options)
            }
            for (offset, outcome) in done.enumerated() {
                table.columns[range.lowerBound + offset] = outcome.column
                outcomes.append(outcome)
            }
        }
        for i in table.columns.indices {
            let outcome = outcomes[i]
            imputed[outcome.column.name] = outcome.imputed
            total += outcome.imputed
            if outcome.details["missing"] != .int(0) { details[outcome.column.name] = .object(outcome.details) }
        }
        return (.init(name: Self.stepNames[4], changed: total, details: details), dropped, imputed)
    }

    /// Cells of category and text columns whose value after trimming and spelling differs from
    /// the input, counted over the rows that survive deduplication (`rows`, or all).
    static func normalizedCells(_ input: Table, _ normalised: Table, rows: [Int]?) -> [String: Int] {
        var result: [String: Int] = [:]
        let indices = rows ?? Array(0..<input.rowCount)
        for (before, after) in zip(input.columns, normalised.columns) {
            switch (before.storage, after.storage) {
            case (.category(let codesBefore, let dictBefore), .category(let codesAfter, let dictAfter)):
                // Cleaning maps each input code to one output code, so compare spellings once per code.
                var differs = [Int8](repeating: -1, count: dictBefore.count)
                var changed = 0
                for i in indices where before.isValid(i) {
                    let code = Int(codesBefore[i])
                    if differs[code] < 0 { differs[code] = dictBefore[code] != dictAfter[Int(codesAfter[i])] ? 1 : 0 }
                    changed += Int(differs[code])
                }
                result[before.name] = changed
            case (.text(let a), .text(let b)):
                var changed = 0
                for i in indices where before.isValid(i) {
                    if a.byteCount(i) != (after.isValid(i) ? b.byteCount(i) : 0) { changed += 1 }
                }
                result[before.name] = changed
            default:
                continue
            }
        }
        return result
    }
}
