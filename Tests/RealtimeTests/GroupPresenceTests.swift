import Testing
@testable import Realtime

@Suite struct GroupPresenceTests {
    let ada = ChannelUser(id: 1, name: "Ada")
    let bob = ChannelUser(id: 2, name: "Bob")
    let nodeB = ChannelNodeID("node-b")

    @Test func mergesLocalAndRemoteUsersCountingEachOnce() {
        var presence = GroupPresence()
        presence.localJoin(ada)
        presence.apply(PresenceSnapshot(node: nodeB, group: .dashboard(1), revision: 1, users: [ada, bob]))
        #expect(presence.users == [ada, bob])
        #expect(presence.localUsers == [ada])
        let diff = presence.takeDiff()
        #expect(diff?.joins == [ada, bob])
        #expect(diff?.leaves == [])

        presence.localLeave(ada)
        let none = presence.takeDiff()
        #expect(none == nil, "Ada is still present on node B")
        presence.apply(PresenceSnapshot(node: nodeB, group: .dashboard(1), revision: 2, users: [bob]))
        let leave = presence.takeDiff()
        #expect(leave?.leaves == [ada])
    }

    @Test func ignoresSnapshotsOlderThanTheLastApplied() {
        var presence = GroupPresence()
        let newer = presence.apply(PresenceSnapshot(node: nodeB, group: .dashboard(1), revision: 5, users: [bob]))
        let older = presence.apply(PresenceSnapshot(node: nodeB, group: .dashboard(1), revision: 4, users: []))
        #expect(newer && !older)
        #expect(presence.users == [bob])
    }

    @Test func reportsTheFinalStateOfUsersTouchedWithinABatch() {
        var presence = GroupPresence()
        presence.localJoin(ada)
        presence.localLeave(ada)
        presence.localJoin(bob)
        let diff = presence.takeDiff()
        #expect(diff?.joins == [bob])
        #expect(diff?.leaves == [ada])
    }

    @Test func forgettingANodeRemovesOnlyItsUsers() {
        var presence = GroupPresence()
        presence.localJoin(ada)
        presence.apply(PresenceSnapshot(node: nodeB, group: .dashboard(1), revision: 1, users: [ada, bob]))
        _ = presence.takeDiff()
        presence.removeNode(nodeB)
        #expect(presence.users == [ada])
        let leave = presence.takeDiff()
        #expect(leave?.leaves == [bob])
    }
}
