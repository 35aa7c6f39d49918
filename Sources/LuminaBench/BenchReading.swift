import Analytics
import Foundation

/// Reads and types a CSV through the same reader an upload uses.
enum BenchReading {
    /// The typed table only: the benchmark hands it to cleaning, which consumes it, so nothing
    /// else may hold on to it (the rest of the read result is not needed).
    static func read(_ url: URL) throws -> Table {
        try CSVDatasetReader.read(fileAt: url, options: .init(), progress: { _ in }).table
    }
}
