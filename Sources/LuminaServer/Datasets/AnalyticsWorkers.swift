import NIOCore
import NIOPosix

/// Threads for the CPU-heavy Analytics work (reading a large file, cleaning, insights).
///
/// Kept apart from `NIOThreadPool.singleton` on purpose: SQLite runs every query on the singleton
/// pool, so a minute of cleaning there would stall every page and API call of the server. Half the
/// cores (at least one) go here; the reader and cleaner parallelise inside a job themselves.
enum AnalyticsWorkers {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount / 2))
        pool.start()
        return pool
    }()
}
