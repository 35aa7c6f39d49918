import Foundation

/// Cleans a typed table in six reported steps, returning a new table and a `CleaningReport`.
///
/// Steps, in order (each announced through `progress` with its percent before it runs):
/// trimming whitespace, normalising categories, parsing numbers and dates, removing duplicates,
/// handling missing values, flagging outliers. Duplicates are removed after spellings are
/// normalised, so `north` and `North` rows that are otherwise identical count as one; imputation
/// runs after deduplication so copies do not weigh on medians and modes.
///
/// Deterministic: no randomness, ties broken by value order. The input table is not mutated
/// (columns are values; every change builds a new column). Runs synchronously on the caller's
/// task; callers off the request path (upload jobs) decide where it runs.
public struct Cleaner: Sendable {
    public var options: CleaningOptions

    public init(options: CleaningOptions = CleaningOptions()) {
        self.options = options
    }

    public static let stepNames = [
        "Trimming whitespace...", "Normalising categories...", "Parsing numbers and dates...",
        "Removing duplicates...", "Handling missing values...", "Flagging outliers...",
    ]

    public func clean(_ input: Table, progress: (_ step: String, _ percent: Int) -> Void = { _, _ in }) -> CleaningResult {
        var table = input
        var steps: [CleaningReport.Step] = []
        func announce(_ index: Int) { progress(Self.stepNames[index], index * 100 / Self.stepNames.count) }

        announce(0)
        steps.append(transformColumns(&table, name: Self.stepNames[0], enabled: options.trimWhitespace) { c in
            let (out, n) = WhitespaceTrimmer.trim(c)
            return (out, n, ["cells": .int(n)])
        })

        announce(1)
        steps.append(transformColumns(&table, name: Self.stepNames[1], enabled: options.normaliseCategories) { c in
            let (out, n, merged) = CategoryNormaliser.normalise(c)
            return (out, n, ["cells": .int(n), "merged": .object(merged.mapValues(JSONValue.string))])
        })

        announce(2)
        steps.append(parseStep(&table))

        announce(3)
        let rowsBefore = input.rowCount
        var duplicates = 0
        var kept: [Int]?
        if options.removeDuplicates {
            let (keep, dups) = Deduplicator.firstOccurrences(table)
            duplicates = dups
            if dups > 0 { kept = keep }
        }
        // Counted before the duplicates go, so the normalised columns need not outlive this line.
        let normalizedCells = Self.normalizedCells(input, table, rows: kept)
        if let keep = kept {
            table = Table(columns: Self.mapInBatches(table.columns, rows: keep.count) { ColumnRebuilding.gather($0, rows: keep) },
                          rowCount: keep.count)
        }
        steps.append(.init(name: Self.stepNames[3], changed: duplicates,
                           details: ["rows_removed": .int(duplicates), "rows_kept": .int(table.rowCount)]))

        announce(4)
        let (missingStep, dropped, imputed) = missingValues(&table)
        steps.append(missingStep)

        announce(5)
        var outliers: [String: [String: Int]] = [:]
        var outlierDetails: [String: JSONValue] = [:]
        var flagged = 0
        if options.flagOutliers {
            let flags = Parallel.map(table.columns, parallel: Parallel.worthIt(rows: table.rowCount)) { OutlierFlagger.flag($0) }
            for (column, flag) in zip(table.columns, flags) {
                guard let f = flag else { continue }
                outliers[column.name] = ["robust_z": f.robustZ, "iqr": f.iqr]
                flagged += f.robustZ
                outlierDetails[column.name] = [
                    "robust_z": .int(f.robustZ), "iqr": .int(f.iqr), "median": .number(f.summary.median),
                    "mad": .number(f.summary.mad), "q1": .number(f.summary.q1), "q3": .number(f.summary.q3),
                    "lower_fence": .number(f.summary.lowerFence), "upper_fence": .number(f.summary.upperFence),
                    "sample_rows": .array(f.sampleRows.map(JSONValue.int)),
                ]
            }
        }
        // Flagging changes no cell; `changed` counts the cells flagged by robust z.
        steps.append(.init(name: Self.stepNames[5], changed: flagged, details: outlierDetails))
        progress("Done", 100)

        let report = CleaningReport(
            rowsBefore: rowsBefore, rowsAfter: table.rowCount, duplicatesRemoved: duplicates,
            columnsDropped: dropped, steps: steps,
            normalizedCells: normalizedCells, imputed: imputed, outliers: outliers)
        return CleaningResult(table: table, report: report)
    }

    /// `body` over the columns, a core's worth at a time, each result replacing its input as soon
    /// as the batch is done: a rebuilt table never exists twice in full (10M rows are a gigabyte).
    /// Text columns go first: they are the largest, and the ones trimming already copied, so their
    /// pre-gather copies are freed before the rest of the new table is built.
    static func mapInBatches(_ columns: [Column], rows: Int, _ body: @escaping @Sendable (Column) -> Column) -> [Column] {
        var columns = columns
        let order = columns.indices.filter { columns[$0].type == .text } + columns.indices.filter { columns[$0].type != .text }
        let batch = Parallel.worthIt(rows: rows) ? max(1, ProcessInfo.processInfo.activeProcessorCount) : max(1, columns.count)
        var start = 0
        while start < order.count {
            let indices = Array(order[start..<min(start + batch, order.count)])
            let outputs = Parallel.map(indices.map { columns[$0] }, parallel: Parallel.worthIt(rows: rows), body)
            for (i, column) in zip(indices, outputs) { columns[i] = column }
            start += indices.count
        }
        return columns
    }

    private func transformColumns(
        _ table: inout Table, name: String, enabled: Bool,
        _ body: @escaping @Sendable (Column) -> (Column, Int, [String: JSONValue])
    ) -> CleaningReport.Step {
        var details: [String: JSONValue] = [:]
        var total = 0
        if enabled {
            let outputs = Parallel.map(table.columns, parallel: Parallel.worthIt(rows: table.rowCount), body)
            for i in table.columns.indices {
                let (out, changed, info) = outputs[i]
                guard changed > 0 else { continue }
                table.columns[i] = out
                total += changed
                details[out.name] = .object(info)
            }
        }
        return .init(name: name, changed: total, details: details)
    }
}
