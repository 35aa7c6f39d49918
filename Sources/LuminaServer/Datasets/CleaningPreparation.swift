import Analytics
import Foundation

/// Cleaning and profiling of a freshly read table, computed while its raw rows are still being written.
///
/// Storing a million raw rows keeps the database (and one core) busy for seconds, while cleaning the
/// same rows in memory needs nothing from the database. Starting the computation as soon as the file
/// is read takes it off the upload's critical path; `CleaningService.clean` later claims the dataset,
/// publishes the buffered progress steps in order, waits for the result and stores it as usual.
/// Nothing is written by the preparation itself, so a failed ingest only wastes the computation.
struct CleaningPreparation: Sendable {
    /// Progress steps (step, percent), buffered until the cleaning publishes them.
    let events: AsyncStream<(String, Int)>
    /// Where the cleaning goes on reporting (saving the rows) after the computation.
    let sink: AsyncStream<(String, Int)>.Continuation
    /// The cleaned table and its profile.
    let computed: Task<CleaningComputation, any Error>

    /// Starts cleaning `table` on the Analytics workers right away.
    static func start(_ table: Table, options: CleaningOptions) -> CleaningPreparation {
        let (events, sink) = makeEventStream()
        let computed = Task {
            try await CleaningComputation.run(.table(table), options: options, sink: sink)
        }
        return CleaningPreparation(events: events, sink: sink, computed: computed)
    }

    /// A stream that keeps the newest steps if nobody reads them yet (a cleaning has a dozen or so).
    static func makeEventStream() -> (AsyncStream<(String, Int)>, AsyncStream<(String, Int)>.Continuation) {
        AsyncStream.makeStream(of: (String, Int).self, bufferingPolicy: .bufferingNewest(64))
    }
}

/// What cleaning computes before anything is stored: the cleaned table and its column profile.
struct CleaningComputation: Sendable {
    let result: CleaningResult
    let profile: DatasetProfile

    /// Where the raw rows come from: the table just read (right after upload) or the raw file again.
    enum Source: Sendable {
        case table(Table)
        case file(URL)
    }

    /// Cleans and profiles on the Analytics workers (CPU work that must not hold up the event loops,
    /// Swift's cooperative threads or SQLite's thread pool).
    static func run(_ source: Source, options: CleaningOptions,
                    sink: AsyncStream<(String, Int)>.Continuation) async throws -> CleaningComputation {
        try await AnalyticsWorkers.pool.runIfActive {
            let raw: Table
            switch source {
            case .table(let table):
                raw = table
            case .file(let url):
                do {
                    raw = try CSVDatasetReader.read(fileAt: url).table
                } catch {
                    throw CleaningService.CleaningError.unreadable("\(error)")
                }
            }
            // Reading is the first tenth, cleaning up to 80 %, storing the rest.
            sink.yield(("Reading the raw file...", 10))
            // Handed over: a table read again here has no other owner, so cleaning frees its raw
            // columns as it goes (one taken from an upload is still being stored and stays as is).
            let result = Cleaner(options: options).clean(consume raw) { step, percent in
                sink.yield((step, 10 + percent * 70 / 100))
            }
            sink.yield(("Profiling columns...", 80))
            return CleaningComputation(result: result, profile: Profiler().profile(result.table))
        }
    }
}
