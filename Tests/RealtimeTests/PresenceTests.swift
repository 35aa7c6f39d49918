import Testing
@testable import Realtime

@Suite(.timeLimit(.minutes(1))) struct PresenceTests {
    let ada = ChannelUser(id: 1, name: "Ada")
    let bob = ChannelUser(id: 2, name: "Bob")

    @Test func joinerGetsTheFullListAndOthersGetADiff() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let first = await hub.connect(user: ada)
            try await hub.add(first, to: .dashboard(1), presence: true)
            let own = try await nextJSON(first)
            #expect(own["type"] == "presence")
            #expect(own["users"] == [["id": 1, "name": "Ada"]])
            // Diffs are batched per flush; flush now so Ada's own join is not batched with Bob's.
            await hub.flushPresence(now: .now)
            #expect(try await nextJSON(first)["joins"] == [["id": 1, "name": "Ada"]])

            let second = await hub.connect(user: bob)
            try await hub.add(second, to: .dashboard(1), presence: true)
            let full = try await nextJSON(second)
            #expect(full["type"] == "presence")
            #expect(full["users"] == [["id": 1, "name": "Ada"], ["id": 2, "name": "Bob"]])

            let diff = try await nextJSON(first)
            #expect(diff["type"] == "presence_diff")
            #expect(diff["joins"] == [["id": 2, "name": "Bob"]])
            #expect(diff["leaves"] == [])
        }
    }

    @Test func twoTabsOfOneUserAreCountedOnceAndLeaveWithTheLastTab() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let observer = await hub.connect(user: bob)
            try await hub.add(observer, to: .dashboard(1), presence: true)
            var view = PresenceView()
            try await view.read(from: observer, until: [2])

            let tab1 = await hub.connect(user: ada)
            try await hub.add(tab1, to: .dashboard(1), presence: true)
            try await view.read(from: observer, until: [1, 2])

            let tab2 = await hub.connect(user: ada)
            try await hub.add(tab2, to: .dashboard(1), presence: true)
            let list = try await nextJSON(tab2)
            #expect(list["users"]?.arrayValue?.count == 2)
            await hub.flushPresence(now: .now)
            try await hub.send(marker(1), toGroup: .dashboard(1))
            let diffsForSecondTab = try await frames(before: "marker", on: observer)
            #expect(diffsForSecondTab.isEmpty, "a second tab of a present user must not produce a join")

            await hub.disconnect(tab1)
            await hub.flushPresence(now: .now)
            try await hub.send(marker(2), toGroup: .dashboard(1))
            let diffsForFirstLeave = try await frames(before: "marker", on: observer)
            #expect(diffsForFirstLeave.isEmpty, "Ada still has a tab open")
            #expect(await hub.presence(in: .dashboard(1)) == [ada, bob])

            await hub.disconnect(tab2)
            let leave = try await nextJSON(observer)
            #expect(leave["type"] == "presence_diff")
            #expect(leave["leaves"] == [["id": 1, "name": "Ada"]])
            #expect(leave["joins"] == [])
            #expect(await hub.presence(in: .dashboard(1)) == [bob])
        }
    }

    @Test func connectionsWithoutPresenceGetNoPresenceMessages() async throws {
        let hub = makeHub()
        try await withRunning(hub) {
            let plain = await hub.connect(user: ada)
            try await hub.add(plain, to: .dashboard(1))
            let tracked = await hub.connect(user: bob)
            try await hub.add(tracked, to: .dashboard(1), presence: true)
            await hub.flushPresence(now: .now)
            try await hub.send(marker(), toGroup: .dashboard(1))
            #expect(try await nextJSON(plain)["type"] == "marker")
            #expect(await hub.presence(in: .dashboard(1)) == [bob])
        }
    }
}
