import Analytics
import Foundation

/// Reads and types a CSV through the same reader an upload uses.
enum BenchReading {
    /// The typed table only: the benchmark hands it to cleaning, which consumes it, so nothing
    /// else may hold on to it (the rest of the read result is not needed).
    static func read(_ url: URL) throws -> Table {
        try CSVDatasetReader.read(fileAt: url, options: .init(), progress: { _ in }).table
    }

    /// The same, with the seconds of the reader's stages, told apart by its progress reports
    /// (checks and first rows until 5%, the scan of all rows until 80%, then building the columns).
    static func readTimingStages(_ url: URL) throws -> (Table, [String: Double]) {
        let start = ContinuousClock.now
        var marks: [(Double, ContinuousClock.Instant)] = [(0, start)]
        let table = try CSVDatasetReader.read(fileAt: url, options: .init(), progress: { marks.append(($0, ContinuousClock.now)) }).table
        marks.append((1.01, ContinuousClock.now))
        func stage(_ from: Double, _ to: Double) -> Double {
            let a = marks.first { $0.0 >= from }?.1 ?? start, b = marks.first { $0.0 >= to }?.1 ?? start
            return Stopwatch.seconds(b - a)
        }
        return (table, ["read: checks, header, first rows": stage(0, 0.05), "read: scan": stage(0.05, 0.8),
                        "read: merge and build columns": stage(0.8, 1.01)])
    }
}
