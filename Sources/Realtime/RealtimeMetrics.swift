import Metrics

/// The swift-metrics instruments of the channel layer, created once and shared by all connections.
///
/// Names (Prometheus style, exported by LuminaServer's `/metrics`):
/// - `realtime_connections` (gauge): open connections of this hub.
/// - `realtime_messages_sent_total` (counter): messages enqueued to connections.
/// - `realtime_messages_dropped_total` (counter): non-essential messages dropped by full outboxes.
/// - `realtime_slow_connections_closed_total` (counter, `reason` = `queue_full` | `stalled`):
///   connections closed with 1013.
/// - `realtime_fanout_duration_seconds` (timer): enqueueing one message on every local member of a group.
/// - `realtime_broadcast_latency_seconds` (timer): from `send(_:toGroup:)` to enqueued on every
///   local member, through the backend (messages sent by this node).
/// - `realtime_delivery_latency_seconds` (timer): from message creation to written to the socket,
///   when the writer reports it with `ChannelConnection.didWrite(_:)`.
/// - `realtime_backend_events_dropped_total`, `realtime_backend_errors_total` (counters).
final class RealtimeMetrics: Sendable {
    let connections: Gauge
    let sent: Counter
    let dropped: Counter
    let closedQueueFull: Counter
    let closedStalled: Counter
    let fanOutDuration: Timer
    let broadcastLatency: Timer
    let deliveryLatency: Timer
    let backendEventsDropped: Counter
    let backendErrors: Counter

    init() {
        connections = Gauge(label: "realtime_connections")
        sent = Counter(label: "realtime_messages_sent_total")
        dropped = Counter(label: "realtime_messages_dropped_total")
        closedQueueFull = Counter(label: "realtime_slow_connections_closed_total", dimensions: [("reason", "queue_full")])
        closedStalled = Counter(label: "realtime_slow_connections_closed_total", dimensions: [("reason", "stalled")])
        fanOutDuration = Timer(label: "realtime_fanout_duration_seconds", preferredDisplayUnit: .milliseconds)
        broadcastLatency = Timer(label: "realtime_broadcast_latency_seconds", preferredDisplayUnit: .milliseconds)
        deliveryLatency = Timer(label: "realtime_delivery_latency_seconds", preferredDisplayUnit: .milliseconds)
        backendEventsDropped = Counter(label: "realtime_backend_events_dropped_total")
        backendErrors = Counter(label: "realtime_backend_errors_total")
    }

    /// Shared instruments: swift-metrics factories may be bootstrapped once per process, and every
    /// hub reports into the same series.
    static let shared = RealtimeMetrics()

    func slowClosed(_ reason: OutboxState.SlowReason) {
        switch reason {
        case .queueFull: closedQueueFull.increment()
        case .stalled: closedStalled.increment()
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating, for `Timer.recordNanoseconds`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return product &+ attoseconds / 1_000_000_000
    }
}
