/// Who is present in one group, merged over this node's connections and other nodes' snapshots.
///
/// A pure value: the hub feeds it local joins and leaves and remote snapshots, and takes a
/// batched diff at each presence flush. A user counts once however many tabs (local
/// connections) and nodes they are on: they join when the first appears and leave when the last goes.
///
/// Diffs are batched as "final state of every user touched since the last flush": `joins`
/// lists touched users now present, `leaves` touched users now absent. Applied as set operations
/// by id, that brings both old members (who saw the last flush) and members who joined during the
/// batch (whose full list was taken mid-batch) to the same current list.
struct GroupPresence {
    struct Entry {
        var user: ChannelUser
        var localConnections = 0
        var remoteNodes = 0
        var isPresent: Bool { localConnections + remoteNodes > 0 }
    }

    private struct RemoteSnapshot {
        var revision: UInt64
        var users: [Int: ChannelUser]
    }

    private(set) var entries: [Int: Entry] = [:]
    private var remote: [ChannelNodeID: RemoteSnapshot] = [:]
    private var touched: [Int: ChannelUser] = [:]
    /// Set when this node's own user set changed and its snapshot must be republished.
    private(set) var localUsersChanged = false
    /// Grows whenever the merged user list changes (cache key for the encoded full list).
    private(set) var version: UInt64 = 0

    /// The merged list, ordered by user id.
    var users: [ChannelUser] {
        entries.values.map(\.user).sorted { $0.id < $1.id }
    }

    /// This node's users (for its snapshot), ordered by user id.
    var localUsers: [ChannelUser] {
        entries.values.filter { $0.localConnections > 0 }.map(\.user).sorted { $0.id < $1.id }
    }

    var hasPendingDiff: Bool { !touched.isEmpty }

    mutating func localJoin(_ user: ChannelUser) {
        var entry = entries[user.id] ?? Entry(user: user)
        let wasPresent = entry.isPresent
        entry.user = user
        entry.localConnections += 1
        entries[user.id] = entry
        if entry.localConnections == 1 { localUsersChanged = true }
        if !wasPresent { changed(user) }
    }

    mutating func localLeave(_ user: ChannelUser) {
        guard var entry = entries[user.id], entry.localConnections > 0 else { return }
        entry.localConnections -= 1
        if entry.localConnections == 0 { localUsersChanged = true }
        store(entry)
    }

    /// Applies a node's snapshot; returns false (and changes nothing) when it is older than one already applied.
    @discardableResult
    mutating func apply(_ snapshot: PresenceSnapshot) -> Bool {
        if let previous = remote[snapshot.node], previous.revision >= snapshot.revision { return false }
        let old = remote[snapshot.node]?.users ?? [:]
        var new: [Int: ChannelUser] = [:]
        for user in snapshot.users { new[user.id] = user }
        for (id, user) in old where new[id] == nil {
            guard var entry = entries[id] else { continue }
            entry.remoteNodes -= 1
            entry.user = entry.localConnections > 0 ? entry.user : user
            store(entry)
        }
        for (id, user) in new where old[id] == nil {
            var entry = entries[id] ?? Entry(user: user)
            let wasPresent = entry.isPresent
            entry.remoteNodes += 1
            entries[id] = entry
            if !wasPresent { changed(user) }
        }
        remote[snapshot.node] = RemoteSnapshot(revision: snapshot.revision, users: new)
        return true
    }

    /// Forgets everything `node` reported (it left or its heartbeats expired).
    mutating func removeNode(_ node: ChannelNodeID) {
        guard let snapshot = remote.removeValue(forKey: node) else { return }
        for id in snapshot.users.keys {
            guard var entry = entries[id] else { continue }
            entry.remoteNodes -= 1
            store(entry)
        }
    }

    /// The nodes this group has snapshots from.
    var remoteNodeIDs: Set<ChannelNodeID> { Set(remote.keys) }

    /// The batched diff since the last call, or nil when nothing changed; resets the batch.
    mutating func takeDiff() -> (joins: [ChannelUser], leaves: [ChannelUser])? {
        guard !touched.isEmpty else { return nil }
        var joins: [ChannelUser] = []
        var leaves: [ChannelUser] = []
        for (id, user) in touched {
            if let entry = entries[id] { joins.append(entry.user) } else { leaves.append(user) }
        }
        touched = [:]
        return (joins.sorted { $0.id < $1.id }, leaves.sorted { $0.id < $1.id })
    }

    /// Whether this node's snapshot must be republished; resets the flag.
    mutating func takeLocalUsersChanged() -> Bool {
        defer { localUsersChanged = false }
        return localUsersChanged
    }

    private mutating func store(_ entry: Entry) {
        if entry.isPresent {
            entries[entry.user.id] = entry
        } else {
            entries[entry.user.id] = nil
            changed(entry.user)
        }
    }

    private mutating func changed(_ user: ChannelUser) {
        touched[user.id] = user
        version &+= 1
    }
}
