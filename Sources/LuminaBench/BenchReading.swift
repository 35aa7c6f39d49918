import Analytics
import Foundation

/// Reads and types a CSV through the same reader an upload uses.
enum BenchReading {
    static func read(_ url: URL) throws -> ReadResult {
        try CSVDatasetReader.read(fileAt: url, options: .init(), progress: { _ in })
    }
}
