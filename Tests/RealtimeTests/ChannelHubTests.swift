import Testing
@testable import Realtime

@Suite(.timeLimit(.minutes(1))) struct ChannelHubTests {
    @Test func deliversToEveryMemberOfTheGroupOnly() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let a1 = await hub.connect(user: ChannelUser(id: 1, name: "Ada"))
            let a2 = await hub.connect(user: ChannelUser(id: 2, name: "Bob"))
            let b1 = await hub.connect(user: ChannelUser(id: 3, name: "Cy"))
            try await hub.add(a1, to: .dashboard(1))
            try await hub.add(a2, to: .dashboard(1))
            try await hub.add(b1, to: .dashboard(2))
            try await hub.send(OutboundMessage(type: "dashboard_update", fields: ["id": 1]), toGroup: .dashboard(1))
            try await hub.send(marker(), toGroup: .dashboard(2))
            #expect(try await nextJSON(a1)["type"] == "dashboard_update")
            #expect(try await nextJSON(a2)["type"] == "dashboard_update")
            // The marker was published after the update: had b1 received the update, it would come first.
            #expect(try await nextJSON(b1)["type"] == "marker")
        }
    }

    @Test func sendsToTheGroupExceptTheSender() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let sender = await hub.connect(user: ChannelUser(id: 1, name: "Ada"))
            let other = await hub.connect(user: ChannelUser(id: 2, name: "Bob"))
            try await hub.add(sender, to: .dashboard(1))
            try await hub.add(other, to: .dashboard(1))
            try await hub.send(OutboundMessage(type: "filter_change"), toGroup: .dashboard(1), except: sender)
            try await hub.send(marker(), toGroup: .dashboard(1))
            #expect(try await nextJSON(other)["type"] == "filter_change")
            #expect(try await nextJSON(sender)["type"] == "marker")
        }
    }

    @Test func encodesABroadcastOnceForAllConnections() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            var connections: [ChannelConnection] = []
            for id in 1...5 {
                let connection = await hub.connect(user: ChannelUser(id: id, name: "u\(id)"))
                try await hub.add(connection, to: .insights)
                connections.append(connection)
            }
            let message = OutboundMessage(type: "insights_generated", fields: ["dataset_id": 3])
            try await hub.send(message, toGroup: .insights)
            var received: [OutboundMessage] = []
            for connection in connections {
                guard case .message(let delivered) = await connection.next() else {
                    Issue.record("expected a message")
                    return
                }
                received.append(delivered)
            }
            // One OutboundMessage instance, sharing the sender's byte buffer: no per-client encoding or copy.
            #expect(received.allSatisfy { $0 === received[0] })
            let senderBase = message.bytes.withUnsafeBufferPointer { $0.baseAddress }
            #expect(received[0].bytes.withUnsafeBufferPointer { $0.baseAddress } == senderBase)
        }
    }

    @Test func discardedAndDisconnectedConnectionsReceiveNothingMore() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let stays = await hub.connect(user: ChannelUser(id: 1, name: "Ada"))
            let leaves = await hub.connect(user: ChannelUser(id: 2, name: "Bob"))
            try await hub.add(stays, to: .upload(7))
            try await hub.add(leaves, to: .upload(7))
            await hub.discard(leaves, from: .upload(7))
            try await hub.send(OutboundMessage(type: "upload_progress"), toGroup: .upload(7))
            #expect(try await nextJSON(stays)["type"] == "upload_progress")
            #expect(leaves.queuedCount == 0)
            await hub.disconnect(stays)
            #expect(await hub.connectionCount(in: .upload(7)) == 0)
            await #expect(throws: ChannelError.connectionClosed) { try await hub.add(stays, to: .upload(7)) }
        }
    }

    @Test func capsTheGroupsOfOneConnection() async throws {
        let hub = ChannelHub(configuration: .init(maxGroupsPerConnection: 2), logger: testLogger)
        let connection = await hub.connect(user: ChannelUser(id: 1, name: "Ada"))
        try await hub.add(connection, to: .upload(1))
        try await hub.add(connection, to: .upload(2))
        await #expect(throws: ChannelError.tooManyGroups(limit: 2)) { try await hub.add(connection, to: .upload(3)) }
    }

    @Test func slowConsumerLosesOldestThenIsClosedWhileFastConsumersGetEverythingInOrder() async throws {
        let clock = ManualClock()
        let policy = OutboxPolicy(capacity: 256, hardCapacity: 512, maxQueuedBytes: 1 << 20, maxStall: .seconds(5))
        let hub = makeHub(outbox: policy, now: clock.now)
        let count = 1_000
        try await withRunning(hub) {
            let slow = await hub.connect(user: ChannelUser(id: 99, name: "Slow"))
            try await hub.add(slow, to: .dashboard(1))
            let readers = try await withThrowingTaskGroup(of: [Int].self) { group in
                for id in 1...4 {
                    let fast = await hub.connect(user: ChannelUser(id: id, name: "f\(id)"))
                    try await hub.add(fast, to: .dashboard(1))
                    group.addTask {
                        // Read until the last message, so a dropped one fails the comparison below
                        // instead of leaving this reader waiting forever.
                        var seen: [Int] = []
                        while seen.last != count - 1 { seen.append(try await nextJSON(fast)["n"]!.intValue!) }
                        return seen
                    }
                }
                let started = ContinuousClock.now
                for n in 0..<count {
                    try await hub.send(OutboundMessage(type: "widget_update", fields: ["n": .integer(n)]), toGroup: .dashboard(1))
                    // Bursts of 16 with a short pause: a busy dashboard, not an infinite firehose.
                    if n % 16 == 15 { try await Task.sleep(for: .milliseconds(1)) }
                }
                var results: [[Int]] = []
                for try await seen in group { results.append(seen) }
                #expect(ContinuousClock.now - started < .seconds(20))
                return results
            }
            #expect(readers.count == 4)
            #expect(readers.allSatisfy { $0 == Array(0..<count) })
            // The slow client never read: it holds only the newest `capacity` messages.
            #expect(slow.queuedCount == 256)
            #expect(slow.isOpen)

            clock.advance(by: .seconds(6))
            try await hub.send(OutboundMessage(type: "widget_update", fields: ["n": .integer(count)]), toGroup: .dashboard(1))
            while slow.isOpen { try await Task.sleep(for: .milliseconds(1)) }
            // The queued messages were released: the writer's next step is the close.
            guard case .close(let code, _) = await slow.next() else {
                Issue.record("expected the slow connection to be closed")
                return
            }
            #expect(code == ChannelCloseCode.tryAgainLater)
            #expect(await hub.connectionCount(in: .dashboard(1)) == 4)
        }
    }

    /// A socket registers handlers that reference it while it references the connection; the
    /// hub must break that cycle when the socket goes, or every closed socket would stay in memory.
    @Test func disconnectReleasesTheSocketsHandlers() async {
        final class Socket: OutboxDrainer {
            func outboxesReady(_ connections: [ChannelConnection]) {}
        }
        let hub = ChannelHub()
        let connection = await hub.connect(user: ChannelUser(id: 1, name: "Ada"))
        weak var released: Socket?
        do {
            let socket = Socket()
            released = socket
            connection.drain(with: socket)
            connection.onCloseRequest { _, _ in _ = socket }
        }
        #expect(released != nil)
        await hub.disconnect(connection)
        #expect(released == nil)
    }
}
