import Metrics

/// Metric names live in one place so dashboards and alerts have a single source of truth.
enum SchedulerMetrics {
    static func runFinished(job: String, status: RunStatus, durationMs: Int64?) {
        Counter(label: "lumina_job_runs_total", dimensions: [("job", job), ("status", status.rawValue)]).increment()
        if let durationMs, status != .skipped {
            Metrics.Timer(label: "lumina_job_duration_seconds", dimensions: [("job", job)], preferredDisplayUnit: .seconds)
                .recordMilliseconds(durationMs)
        }
    }

    static func running(job: String, _ isRunning: Bool) {
        Gauge(label: "lumina_job_running", dimensions: [("job", job)]).record(isRunning ? 1 : 0)
    }

    static func firesDropped(job: String, count: Int) {
        Counter(label: "lumina_job_fires_dropped_total", dimensions: [("job", job)]).increment(by: count)
    }
}
