import Foundation

extension Cleaner {
    /// Reports the types the reader parsed and converts categories that are formatted numbers.
    func parseStep(_ table: inout Table) -> CleaningReport.Step {
        var details: [String: JSONValue] = [:]
        var total = 0
        for i in table.columns.indices {
            let name = table.columns[i].name
            if options.parseFormattedValues, let changed = FormattedNumberParser.parse(&table.columns[i]) {
                total += changed
                details[name] = ["from": "category", "to": .string(table.columns[i].type.rawValue), "cells": .int(changed)]
            } else if table.columns[i].type != .category && table.columns[i].type != .text {
                // Typed while reading ($1,234.50, 12%, mixed date formats, yes/no): say so.
                let column = table.columns[i]
                details[name] = ["type": .string(column.type.rawValue), "parsed_cells": .int(column.count - column.validity.nullCount)]
            }
        }
        return .init(name: Self.stepNames[2], changed: total, details: details)
    }

    /// Drops mostly-empty columns (and rows, when asked), then imputes per column, in place.
    func missingValues(_ table: inout Table) -> (CleaningReport.Step, dropped: [String], imputed: [String: Int]) {
        var dropped: [String] = []
        var details: [String: JSONValue] = [:]
        if let limit = options.dropColumnsMissingFraction, table.rowCount > 0 {
            let rows = Double(table.rowCount)
            for c in table.columns where Double(c.validity.nullCount) / rows > limit {
                dropped.append(c.name)
                details[c.name] = ["strategy": "drop_column", "missing": .int(c.validity.nullCount)]
            }
            table.columns.removeAll { Double($0.validity.nullCount) / rows > limit }
        }
        var rowsDropped = 0
        if let limit = options.dropRowsMissingFraction, !table.columns.isEmpty {
            var keep = RowSet(rows: table.rowCount)
            let width = Double(table.columns.count)
            for r in 0..<table.rowCount {
                let empty = table.columns.reduce(0) { $0 + ($1.isValid(r) ? 0 : 1) }
                if Double(empty) / width <= limit { keep.insert(r) }
            }
            rowsDropped = table.rowCount - keep.count
            if rowsDropped > 0 {
                let keep = keep
                _ = Parallel.update(&table.columns, parallel: Parallel.worthIt(rows: table.rowCount)) { ColumnRebuilding.gather(&$0, rows: keep) }
                table.rowCount = keep.count
            }
            details["rows_dropped"] = .int(rowsDropped)
        }
        var imputed: [String: Int] = [:]
        var total = rowsDropped
        let options = self.options
        let outcomes = Parallel.update(&table.columns, parallel: Parallel.worthIt(rows: table.rowCount)) {
            MissingValueHandler.handle(&$0, options: options)
        }
        for (column, outcome) in zip(table.columns, outcomes) {
            imputed[column.name] = outcome.imputed
            total += outcome.imputed
            if outcome.details["missing"] != .int(0) { details[column.name] = .object(outcome.details) }
        }
        return (.init(name: Self.stepNames[4], changed: total, details: details), dropped, imputed)
    }

    /// Cells of category and text columns whose value after trimming and spelling differs from
    /// the input, counted over the rows that survive deduplication (`rows`, or all). `respelled`
    /// holds, per column, the rows trimming or respelling changed: a changed cell can never be
    /// changed back (respelling picks spellings from the trimmed dictionary), so these are
    /// exactly the cells that differ from the input.
    static func normalizedCells(_ table: Table, respelled: [RowSet?], rows: RowSet?) -> [String: Int] {
        var result: [String: Int] = [:]
        for (column, changed) in zip(table.columns, respelled) {
            switch column.storage {
            case .category, .text: break
            default: continue
            }
            guard let changed else {
                result[column.name] = 0
                continue
            }
            result[column.name] = rows.map(changed.intersectionCount) ?? changed.count
        }
        return result
    }
}
