import Testing
@testable import Realtime

@Suite(.timeLimit(.minutes(1))) struct MultiNodeTests {
    let ada = ChannelUser(id: 1, name: "Ada")
    let bob = ChannelUser(id: 2, name: "Bob")

    @Test func broadcastReachesMembersOnBothNodesExceptTheSender() async throws {
        let backend = InMemoryChannelBackend()
        let nodeA = makeHub(backend: backend, node: "node-a")
        let nodeB = makeHub(backend: backend, node: "node-b")
        try await withRunning(nodeA, nodeB) {
            let onA = await nodeA.connect(user: ada)
            let senderOnA = await nodeA.connect(user: ada)
            let onB = await nodeB.connect(user: bob)
            try await nodeA.add(onA, to: .dashboard(5))
            try await nodeA.add(senderOnA, to: .dashboard(5))
            try await nodeB.add(onB, to: .dashboard(5))
            #expect(backend.subscribers(of: .dashboard(5)) == [nodeA.nodeID, nodeB.nodeID])

            try await nodeA.send(OutboundMessage(type: "filter_change"), toGroup: .dashboard(5), except: senderOnA)
            try await nodeB.send(marker(), toGroup: .dashboard(5))
            #expect(try await nextJSON(onA)["type"] == "filter_change")
            #expect(try await nextJSON(onB)["type"] == "filter_change")
            #expect(try await nextJSON(senderOnA)["type"] == "marker")
            #expect(try await nextJSON(onA)["type"] == "marker")
        }
    }

    @Test func presenceIsMergedAcrossNodesAndAUserOnBothNodesCountsOnce() async throws {
        let backend = InMemoryChannelBackend()
        let nodeA = makeHub(backend: backend, node: "node-a")
        let nodeB = makeHub(backend: backend, node: "node-b")
        try await withRunning(nodeA, nodeB) {
            let adaOnA = await nodeA.connect(user: ada)
            try await nodeA.add(adaOnA, to: .dashboard(5), presence: true)
            var viewA = PresenceView()
            try await viewA.read(from: adaOnA, until: [1])

            let bobOnB = await nodeB.connect(user: bob)
            try await nodeB.add(bobOnB, to: .dashboard(5), presence: true)
            var viewB = PresenceView()
            try await viewB.read(from: bobOnB, until: [1, 2])
            try await viewA.read(from: adaOnA, until: [1, 2])

            // Ada opens a second tab on node B, then closes the tab on node A: she stays.
            let adaOnB = await nodeB.connect(user: ada)
            try await nodeB.add(adaOnB, to: .dashboard(5), presence: true)
            await nodeA.disconnect(adaOnA)
            try await Task.sleep(for: .milliseconds(50))
            #expect(await nodeB.presence(in: .dashboard(5)) == [ada, bob])

            // Her last tab goes: node A... has nobody left, so watch from a new tab of Bob's on A.
            let bobOnA = await nodeA.connect(user: bob)
            try await nodeA.add(bobOnA, to: .dashboard(5), presence: true)
            var viewA2 = PresenceView()
            try await viewA2.read(from: bobOnA, until: [1, 2])
            await nodeB.disconnect(adaOnB)
            try await viewA2.read(from: bobOnA, until: [2])
            try await viewB.read(from: bobOnB, until: [2])
        }
    }

    @Test func aNodeThatLeavesTakesItsUsersWithIt() async throws {
        let backend = InMemoryChannelBackend()
        let nodeA = makeHub(backend: backend, node: "node-a")
        let nodeB = makeHub(backend: backend, node: "node-b")
        try await withRunning(nodeA) {
            let bobOnA = await nodeA.connect(user: bob)
            try await nodeA.add(bobOnA, to: .dashboard(5), presence: true)
            var view = PresenceView()
            try await view.read(from: bobOnA, until: [2])
            let runB = Task { try await nodeB.run() }
            let adaOnB = await nodeB.connect(user: ada)
            try await nodeB.add(adaOnB, to: .dashboard(5), presence: true)
            try await view.read(from: bobOnA, until: [1, 2])
            runB.cancel()
            try await runB.value
            try await view.read(from: bobOnA, until: [2])
        }
    }

    @Test func presenceOfASilentNodeExpires() async throws {
        let clock = ManualClock()
        let backend = InMemoryChannelBackend()
        let nodeA = makeHub(backend: backend, node: "node-a", heartbeat: .seconds(1), ttl: .seconds(3), now: clock.now)
        try await withRunning(nodeA) {
            let bobOnA = await nodeA.connect(user: bob)
            try await nodeA.add(bobOnA, to: .dashboard(5), presence: true)
            var view = PresenceView()
            try await view.read(from: bobOnA, until: [2])
            // A node that published Ada once and then crashed (no heartbeats, no nodeLeft).
            try await backend.publish(.presence(PresenceSnapshot(node: ChannelNodeID("crashed"), group: .dashboard(5), revision: 1, users: [ada])))
            try await view.read(from: bobOnA, until: [1, 2])
            clock.advance(by: .seconds(4))
            try await view.read(from: bobOnA, until: [2])
        }
    }
}
