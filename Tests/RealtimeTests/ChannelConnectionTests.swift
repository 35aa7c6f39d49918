import Testing
@testable import Realtime

@Suite(.timeLimit(.minutes(1))) struct ChannelConnectionTests {
    let user = ChannelUser(id: 1, name: "Ada")

    @Test func parkedWriterWakesOnEnqueue() async throws {
        let hub = makeHub()
        let connection = await hub.connect(user: user)
        async let received = nextJSON(connection)
        try await Task.sleep(for: .milliseconds(20))
        hub.send(OutboundMessage(type: "hello"), toConnection: connection)
        #expect(try await received["type"] == "hello")
    }

    @Test func closeIsSurfacedToTheWriterAndEndsTheOutbox() async throws {
        let connection = ChannelConnection(id: 1, user: user, logger: testLogger)
        let requested = LockedValue<UInt16?>(nil)
        connection.onCloseRequest { code, _ in requested.withLock { $0 = code } }
        connection.close(code: 1001, reason: "shutdown")
        var events: [OutboxEvent] = []
        for await event in connection.outbox { events.append(event) }
        guard events.count == 1, case .close(let code, let reason) = events[0] else {
            Issue.record("expected exactly one close event, got \(events)")
            return
        }
        #expect(code == 1001 && reason == "shutdown")
        #expect(requested.withLock { $0 } == 1001)
    }

    @Test func cancellingTheWriterFinishesTheOutbox() async throws {
        let connection = ChannelConnection(id: 1, user: user, logger: testLogger)
        let writer = Task { await connection.next() }
        try await Task.sleep(for: .milliseconds(20))
        writer.cancel()
        #expect(await writer.value == nil)
        #expect(!connection.isOpen)
    }

    @Test func disconnectEndsTheWriterLoop() async throws {
        let hub = makeHub()
        let connection = await hub.connect(user: user)
        let writer = Task {
            var count = 0
            for await _ in connection.outbox { count += 1 }
            return count
        }
        hub.send(OutboundMessage(type: "a"), toConnection: connection)
        try await Task.sleep(for: .milliseconds(20))
        await hub.disconnect(connection)
        #expect(await writer.value == 1)
        #expect(await hub.openConnectionCount == 0)
    }
}
