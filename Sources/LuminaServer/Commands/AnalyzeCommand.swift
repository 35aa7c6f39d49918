import Analytics
import ArgumentParser
import Foundation

/// `lumina analyze FILE [--json]`: what the server would make of a CSV, without starting it.
///
/// The same reading, cleaning, profiling and insight code an upload goes through. JSON goes to
/// standard output (logs, if any, to standard error); an unreadable file exits 1 with the contract's
/// `{"error":{"code","message"}}` on standard output.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analyze", abstract: "Read, clean, profile and find insights in a CSV file.")

    @Argument(help: "A .csv or .csv.gz file.") var file: String
    @Flag(help: "Print one JSON object instead of a report for people.") var json = false

    func run() throws {
        var result: ReadResult
        do {
            result = try CSVDatasetReader.read(fileAt: URL(fileURLWithPath: file))
        } catch let error as CSVError {
            try fail(code: error.code, message: error.description)
        } catch {
            try fail(code: "unreadable", message: "\(error)")
        }
        let rawProfile = Profiler().profile(result.table)
        // Handed over to cleaning, which frees the raw columns as it replaces them.
        let raw = result.table
        result.table = Table(columns: [], rowCount: 0)
        let cleaned = Cleaner().clean(consume raw)
        let profile = Profiler().profile(cleaned.table)
        let insights = InsightDetector().detect(cleaned.table, profile: profile)
        let analysis = Analysis(
            dialect: result.dialect, encoding: result.encoding.rawValue, rowCount: result.rawRowCount,
            skippedTitleRows: result.skippedTitleRows, raggedRows: result.raggedRows, warnings: result.warnings,
            columns: rawProfile.columns.map { AnalysisColumn(name: $0.name, type: $0.type.rawValue, nulls: $0.nulls, distinct: $0.distinct) },
            cleaningReport: cleaned.report, profile: profile, insights: insights)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            FileHandle.standardOutput.write(try encoder.encode(analysis))
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(analysis.report.utf8))
        }
    }

    private func fail(code: String, message: String) throws -> Never {
        let body = ["error": ["code": code, "message": "\(file): \(message)"]]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write((try? encoder.encode(body)) ?? Data())
        FileHandle.standardOutput.write(Data("\n".utf8))
        throw ExitCode(1)
    }
}

struct AnalysisColumn: Encodable {
    let name: String
    let type: String
    let nulls: Int
    let distinct: Int
}

/// The `--json` shape of CONTRACT.md ("Running"), plus what the reader detected.
struct Analysis: Encodable {
    let dialect: CSVDialect
    let encoding: String
    let rowCount: Int
    let skippedTitleRows: Int
    let raggedRows: Int
    let warnings: [ReadWarning]
    let columns: [AnalysisColumn]
    let cleaningReport: CleaningReport
    let profile: DatasetProfile
    let insights: [Insight]

    enum CodingKeys: String, CodingKey {
        case dialect, encoding, warnings, columns, profile, insights
        case rowCount = "row_count", skippedTitleRows = "skipped_title_rows", raggedRows = "ragged_rows"
        case cleaningReport = "cleaning_report"
    }

    /// The same facts for a person at a terminal.
    var report: String {
        var lines: [String] = []
        lines.append("\(rowCount) rows × \(columns.count) columns · delimiter \(dialect.delimiter == "\t" ? "tab" : dialect.delimiter) · \(encoding) · line endings \(dialect.lineEnding)")
        if skippedTitleRows > 0 { lines.append("skipped \(skippedTitleRows) title row(s) above the header") }
        for warning in warnings { lines.append("note: \(warning.message)") }
        lines.append("")
        lines.append("columns")
        let width = min(40, columns.map(\.name.count).max() ?? 4)
        for column in columns {
            lines.append("  \(column.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(column.type.padding(toLength: 9, withPad: " ", startingAt: 0))  \(column.nulls) empty, \(column.distinct) distinct")
        }
        lines.append("")
        lines.append("cleaning: \(cleaningReport.rowsBefore) → \(cleaningReport.rowsAfter) rows, \(cleaningReport.duplicatesRemoved) duplicates removed")
        for step in cleaningReport.steps where step.changed > 0 { lines.append("  \(step.name) \(step.changed) changed") }
        if !cleaningReport.columnsDropped.isEmpty { lines.append("  dropped columns: \(cleaningReport.columnsDropped.joined(separator: ", "))") }
        lines.append("")
        lines.append(insights.isEmpty ? "no insights" : "insights")
        for insight in insights { lines.append("  [\(insight.kind.rawValue)] \(insight.title)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
