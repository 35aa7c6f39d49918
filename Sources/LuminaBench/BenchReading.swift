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
        let start = ContinuousClock.now, startCPU = Stopwatch.cpuSeconds()
        var marks: [(Double, ContinuousClock.Instant, cpu: Double)] = [(0, start, startCPU)]
        let table = try CSVDatasetReader.read(fileAt: url, options: .init(), progress: {
            marks.append(($0, ContinuousClock.now, Stopwatch.cpuSeconds()))
        }).table
        marks.append((1.01, ContinuousClock.now, Stopwatch.cpuSeconds()))
        var stages: [String: Double] = [:]
        for (name, from, to) in [("read: checks, header, first rows", 0.0, 0.05), ("read: scan", 0.05, 0.8), ("read: merge and build columns", 0.8, 1.01)] {
            guard let a = marks.first(where: { $0.0 >= from }), let b = marks.first(where: { $0.0 >= to }) else { continue }
            stages[name] = Stopwatch.seconds(b.1 - a.1)
            stages[name + " (cpu)"] = b.cpu - a.cpu
        }
        return (table, stages)
    }
}
