import Foundation

/// A `RunLog` kept in memory: for tests and single-node setups without a database.
public actor InMemoryRunLog: RunLog {
    private var stored: [Int64: JobRun] = [:]
    private var lastID: Int64 = 0

    public init() {}

    public func insert(_ run: JobRun) -> JobRun {
        lastID += 1
        var run = run
        run.id = lastID
        stored[lastID] = run
        return run
    }

    public func update(_ run: JobRun) {
        guard stored[run.id] != nil else { return }
        stored[run.id] = run
    }

    public func run(id: Int64) -> JobRun? {
        stored[id]
    }

    public func runs(_ query: RunQuery) -> [JobRun] {
        Array(stored.values.filter(query.matches).sorted { $0.id > $1.id }.prefix(max(0, query.limit)))
    }

    /// Every stored run, oldest first; for tests.
    public var allRuns: [JobRun] {
        stored.values.sorted { $0.id < $1.id }
    }

    public func lastRun(job: String) -> JobRun? {
        stored.values.filter { $0.job == job }.max { $0.id < $1.id }
    }

    public func lastScheduledFire(job: String) -> Date? {
        stored.values
            .filter { $0.job == job && ($0.trigger == .schedule || $0.trigger == .startup) }
            .compactMap(\.scheduledFor)
            .max()
    }

    public func markAbandoned(node: String, at: Date) -> Int {
        var count = 0
        for (id, run) in stored where run.node == node && run.status == .running {
            var run = run
            run.finish(.interrupted, at: at, error: RunLogMessages.abandoned)
            stored[id] = run
            count += 1
        }
        return count
    }

    public func purge(olderThan date: Date) -> Int {
        let old = stored.filter { $0.value.startedAt < date && $0.value.status != .running }
        for id in old.keys { stored.removeValue(forKey: id) }
        return old.count
    }
}
