import Foundation

/// Cleans a typed table in six reported steps, returning a new table and a `CleaningReport`.
///
/// Steps, in order (each announced through `progress` with its percent before it runs):
/// trimming whitespace, normalising categories, parsing numbers and dates, removing duplicates,
/// handling missing values, flagging outliers. Duplicates are removed after spellings are
/// normalised, so `north` and `North` rows that are otherwise identical count as one; imputation
/// runs after deduplication so copies do not weigh on medians and modes.
///
/// Deterministic: no randomness, ties broken by value order.
///
/// Memory: `clean` consumes the table it is given and changes its columns where they lie
/// (trimming, respelling, filling gaps) or replaces them one at a time (dropping repeated rows,
/// parsing formatted numbers), each old column freed as soon as its replacement exists. A caller
/// that hands its table over (`clean(consume table)`, or a table read just for this) therefore
/// never holds the input and the cleaned table at once. A caller that keeps its own copy keeps it
/// untouched: columns are values, and shared ones are copied before they change.
///
/// Runs synchronously on the caller's task; callers off the request path (upload jobs) decide
/// where it runs.
public struct Cleaner: Sendable {
    public var options: CleaningOptions

    public init(options: CleaningOptions = CleaningOptions()) {
        self.options = options
    }

    public static let stepNames = [
        "Trimming whitespace...", "Normalising categories...", "Parsing numbers and dates...",
        "Removing duplicates...", "Handling missing values...", "Flagging outliers...",
    ]

    public func clean(_ input: consuming Table, progress: (_ step: String, _ percent: Int) -> Void = { _, _ in }) -> CleaningResult {
        var table = consume input
        var steps: [CleaningReport.Step] = []
        func announce(_ index: Int) { progress(Self.stepNames[index], index * 100 / Self.stepNames.count) }
        let rowsBefore = table.rowCount
        // Per column, the rows whose value trimming or respelling changed (for `normalizedCells`).
        var respelled = [RowSet?](repeating: nil, count: table.columns.count)

        announce(0)
        steps.append(respellStep(&table, name: Self.stepNames[0], enabled: options.trimWhitespace, respelled: &respelled) {
            WhitespaceTrimmer.trim(&$0).map { ($0, [:]) }
        })

        announce(1)
        steps.append(respellStep(&table, name: Self.stepNames[1], enabled: options.normaliseCategories, respelled: &respelled) {
            CategoryNormaliser.normalise(&$0).map { ($0.changed, ["merged": .object($0.merged.mapValues(JSONValue.string))]) }
        })

        announce(2)
        steps.append(parseStep(&table))

        announce(3)
        var duplicates = 0
        var kept: RowSet?
        if options.removeDuplicates {
            let (keep, dups) = Deduplicator.firstOccurrences(table)
            duplicates = dups
            if dups > 0 { kept = keep }
        }
        let normalizedCells = Self.normalizedCells(table, respelled: respelled, rows: kept)
        if let keep = kept {
            _ = Parallel.update(&table.columns, parallel: Parallel.worthIt(rows: rowsBefore)) { ColumnRebuilding.gather(&$0, rows: keep) }
            table.rowCount = keep.count
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

    /// Runs a trimming or respelling step over every column, in place, and reports the cells it
    /// changed per column; the changed rows are added to `respelled`.
    private func respellStep(
        _ table: inout Table, name: String, enabled: Bool, respelled: inout [RowSet?],
        _ body: @escaping @Sendable (inout Column) -> (RowSet, [String: JSONValue])?
    ) -> CleaningReport.Step {
        var details: [String: JSONValue] = [:]
        var total = 0
        guard enabled else { return .init(name: name, changed: 0, details: details) }
        let outcomes = Parallel.update(&table.columns, parallel: Parallel.worthIt(rows: table.rowCount), body)
        for (i, outcome) in outcomes.enumerated() {
            guard let (rows, info) = outcome else { continue }
            total += rows.count
            details[table.columns[i].name] = .object(info.merging(["cells": .int(rows.count)]) { $1 })
            if respelled[i] == nil { respelled[i] = rows } else { respelled[i]!.formUnion(rows) }
        }
        return .init(name: name, changed: total, details: details)
    }
}
