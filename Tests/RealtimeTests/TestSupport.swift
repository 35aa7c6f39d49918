import Logging
@testable import Realtime

/// A monotonic clock the test moves by hand.
final class ManualClock: Sendable {
    private let base = ContinuousClock.now
    private let offset = LockedValue(Duration.zero)

    var now: @Sendable () -> ContinuousClock.Instant {
        { [base, offset] in base + offset.withLock { $0 } }
    }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}

let testLogger = Logger(label: "realtime-tests")

func makeHub(
    backend: any ChannelBackend = InMemoryChannelBackend(),
    outbox: OutboxPolicy = OutboxPolicy(),
    node: String = "node-a",
    heartbeat: Duration = .seconds(5),
    ttl: Duration = .seconds(15),
    now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
) -> ChannelHub {
    ChannelHub(
        backend: backend,
        configuration: .init(outbox: outbox, presenceFlushInterval: .milliseconds(5), heartbeatInterval: heartbeat, presenceTTL: ttl),
        nodeID: ChannelNodeID(node),
        logger: testLogger,
        now: now
    )
}

/// Runs `hubs` for the duration of `body`, then cancels them.
func withRunning<Result: Sendable>(_ hubs: ChannelHub..., body: @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for hub in hubs {
            group.addTask { try await hub.run() }
        }
        do {
            let result = try await body()
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

struct UnexpectedEvent: Error, CustomStringConvertible {
    let description: String
}

/// The next frame's JSON, failing on a close or the end of the outbox.
func nextJSON(_ connection: ChannelConnection) async throws -> JSONValue {
    switch await connection.next() {
    case .message(let message):
        return try JSONValue(parsing: message.bytes)
    case .close(let code, let reason):
        throw UnexpectedEvent(description: "closed with \(code): \(reason)")
    case nil:
        throw UnexpectedEvent(description: "outbox finished")
    }
}

/// Reads frames until one has type `type`, returning the frames read before it.
func frames(before type: String, on connection: ChannelConnection) async throws -> [JSONValue] {
    var seen: [JSONValue] = []
    while true {
        let value = try await nextJSON(connection)
        if value["type"]?.stringValue == type { return seen }
        seen.append(value)
    }
}

/// A client-side presence list, maintained exactly as the browser does.
struct PresenceView {
    var users: [Int: String] = [:]

    /// Applies a presence frame; returns false for other frames.
    @discardableResult
    mutating func apply(_ value: JSONValue) -> Bool {
        switch value["type"]?.stringValue {
        case "presence":
            users = [:]
            for user in value["users"]?.arrayValue ?? [] { users[user["id"]!.intValue!] = user["name"]!.stringValue! }
        case "presence_diff":
            for user in value["joins"]?.arrayValue ?? [] { users[user["id"]!.intValue!] = user["name"]!.stringValue! }
            for user in value["leaves"]?.arrayValue ?? [] { users[user["id"]!.intValue!] = nil }
        default:
            return false
        }
        return true
    }

    /// Reads frames from `connection` until the view shows exactly `ids`.
    mutating func read(from connection: ChannelConnection, until ids: Set<Int>) async throws {
        while Set(users.keys) != ids {
            apply(try await nextJSON(connection))
        }
    }
}

func marker(_ n: Int = 0) -> OutboundMessage {
    OutboundMessage(type: "marker", fields: ["n": .integer(n)])
}
