import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import PostgresNIO
import Realtime
import SQLKit
import ServiceLifecycle

/// Carries channel-group messages and presence between `lumina` nodes through PostgreSQL LISTEN/NOTIFY.
///
/// Every node LISTENs on one channel on a dedicated connection and filters by the groups its hub
/// subscribed to; publishing is a `pg_notify` on a pooled connection, so a node also hears its own
/// messages and every node sees one commit order. NOTIFY payloads are limited to 8000 bytes: larger
/// events are stored in `channel_payloads` and only `@<id>` is notified; rows are swept after ten
/// minutes. When the listener connection is lost the backend reconnects with capped backoff and
/// yields `.resynchronize`, so the hub republishes its presence and asks the others for theirs.
final class PostgresChannelBackend: ChannelBackend, Service {
    static let channel = "lumina_channels"
    /// Leaves room under PostgreSQL's 8000-byte limit for the quoting of the payload.
    static let inlineLimit = 7_800

    private struct Node {
        let continuation: AsyncStream<ChannelBackendEvent>.Continuation
        var groups: Set<ChannelGroup> = []
    }

    private let database: Database
    private let logger: Logger
    private let nodes = NIOLockedValueBox<[ChannelNodeID: Node]>([:])
    private let bufferSize: Int
    private let publishTimeLimit: Duration

    init(database: Database, logger: Logger, bufferSize: Int = 65_536, publishTimeLimit: Duration = .seconds(5)) {
        self.database = database
        self.logger = logger
        self.bufferSize = bufferSize
        self.publishTimeLimit = publishTimeLimit
    }

    func events(for node: ChannelNodeID) async throws(Realtime.ChannelError) -> AsyncStream<ChannelBackendEvent> {
        let (stream, continuation) = AsyncStream<ChannelBackendEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        nodes.withLockedValue { $0[node] = Node(continuation: continuation) }
        return stream
    }

    func subscribe(node: ChannelNodeID, to group: ChannelGroup) async throws(Realtime.ChannelError) {
        nodes.withLockedValue { _ = $0[node]?.groups.insert(group) }
    }

    func unsubscribe(node: ChannelNodeID, from group: ChannelGroup) async throws(Realtime.ChannelError) {
        nodes.withLockedValue { _ = $0[node]?.groups.remove(group) }
    }

    func detach(node: ChannelNodeID) async {
        let removed = nodes.withLockedValue { $0.removeValue(forKey: node) }
        removed?.continuation.finish()
    }

    func publish(_ event: ChannelBackendEvent) async throws(Realtime.ChannelError) {
        guard let bytes = event.wirePayload() else {
            deliver(event)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            // Runs in a task of its own: a hub stopping publishes `nodeLeft` from its cancelled
            // task and the notification must still go out. The limit keeps a database that is
            // down from holding a broadcast (or the shutdown) forever; the pool waits for a
            // connection without a deadline of its own.
            try await withTimeLimit(publishTimeLimit) { try await self.notify(text, size: bytes.count) }
        } catch {
            throw .backendUnavailable("PostgreSQL NOTIFY failed: \(error)")
        }
    }

    private func notify(_ text: String, size: Int) async throws {
        try await database.withConnection { db in
            var payload = text
            if size > Self.inlineLimit {
                let id = try await db.insert(into: "channel_payloads").columns("payload", "created_at")
                    .values(SQLBind(text), SQLBind(Date())).returning("id").first()!.decode(column: "id", as: Int.self)
                payload = "@\(id)"
                Counter(label: "realtime_backend_large_payloads_total").increment()
            }
            try await db.raw("SELECT pg_notify(\(bind: Self.channel), \(bind: payload))").run()
        }
    }

    /// Keeps a LISTEN connection open until shutdown, reconnecting after failures.
    func run() async throws {
        var attempt = 0
        var connectedBefore = false
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sweepOldPayloads() }
            while !(Task.isCancelled || Task.isShuttingDownGracefully) {
                do {
                    try await listenOnce(onListening: {
                        if connectedBefore {
                            self.logger.notice("channel listener reconnected")
                            self.deliver(.resynchronize)
                        }
                        connectedBefore = true
                        attempt = 0
                    })
                } catch {
                    if (Task.isCancelled || Task.isShuttingDownGracefully) { break }
                    Counter(label: "realtime_backend_listener_failures_total").increment()
                    logger.warning("channel listener lost; reconnecting", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                }
                attempt += 1
                let delay = min(5_000, 100 * (1 << min(attempt, 6)))
                try? await Task.sleep(for: .milliseconds(delay))
            }
            group.cancelAll()
        }
    }

    private func listenOnce(onListening: () -> Void) async throws {
        guard let settings = database.settings else { return }
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: settings.host, port: settings.port, username: settings.username,
                                 password: settings.password, database: settings.database, tls: .disable),
            id: 9_001, logger: logger)
        do {
            try await withTaskCancellationOrGracefulShutdownHandler {
                try await connection.listen(on: Self.channel) { notifications in
                    onListening()
                    for try await notification in notifications {
                        await handle(notification.payload)
                    }
                }
            } onCancelOrGracefulShutdown: {
                connection.close().whenComplete { _ in }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func handle(_ payload: String) async {
        var text = payload
        if payload.hasPrefix("@"), let id = Int(payload.dropFirst()) {
            do {
                guard let stored = try await database.withConnection({ db in
                    try await db.select().column("payload").from("channel_payloads").where("id", .equal, id).first()?
                        .decode(column: "payload", as: String.self)
                }) else {
                    logger.warning("large channel payload expired before delivery", metadata: ["id": "\(id)"])
                    return
                }
                text = stored
            } catch {
                logger.error("cannot load large channel payload", metadata: ["id": "\(id)", "error": "\(error)"])
                return
            }
        }
        do {
            deliver(try ChannelBackendEvent(wirePayload: Array(text.utf8)))
        } catch {
            Counter(label: "realtime_backend_malformed_total").increment()
            logger.warning("malformed channel notification ignored", metadata: ["error": "\(error)"])
        }
    }

    /// Yields `event` to every local node subscribed to its group (all nodes for group-less events).
    private func deliver(_ event: ChannelBackendEvent) {
        let targets = nodes.withLockedValue { nodes in
            nodes.values.filter { node in event.group.map { node.groups.contains($0) } ?? true }.map(\.continuation)
        }
        for continuation in targets {
            if case .dropped = continuation.yield(event) {
                Counter(label: "realtime_backend_events_dropped_total").increment()
            }
        }
    }

    /// Deletes stored large payloads once every node has long had the chance to read them.
    private func sweepOldPayloads() async {
        while !(Task.isCancelled || Task.isShuttingDownGracefully) {
            do { try await Task.sleep(for: .seconds(60)) } catch { return }
            do {
                try await database.withConnection { db in
                    try await db.delete(from: "channel_payloads")
                        .where("created_at", .lessThan, SQLBind(Date().addingTimeInterval(-600))).run()
                }
            } catch {
                logger.warning("cannot sweep channel payloads", metadata: ["error": "\(error)"])
            }
        }
    }
}
