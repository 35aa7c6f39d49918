import Testing
@testable import Realtime

@Suite struct OutboxStateTests {
    let start = ContinuousClock.now
    let policy = OutboxPolicy(capacity: 3, hardCapacity: 5, maxQueuedBytes: 1_000, maxStall: .seconds(10))

    func message(_ n: Int, essential: Bool = false) -> OutboundMessage {
        OutboundMessage(type: "m", fields: ["n": .integer(n)], essential: essential)
    }

    func drain(_ state: inout OutboxState) -> [String] {
        var texts: [String] = []
        while case .event(.message(let message)) = state.next(now: start) { texts.append(message.text) }
        return texts
    }

    @Test func dropsOldestNonEssentialWhenFull() {
        var state = OutboxState()
        let essential = message(0, essential: true)
        #expect(state.enqueue(essential, now: start, policy: policy) == .enqueued(dropped: 0))
        for n in 1...4 { _ = state.enqueue(message(n), now: start, policy: policy) }
        #expect(state.queue.count == 3)
        #expect(drain(&state) == [essential.text, message(3).text, message(4).text])
    }

    @Test func closesWith1013WhenOnlyEssentialMessagesPileUp() {
        var state = OutboxState()
        for n in 1...5 {
            #expect(state.enqueue(message(n, essential: true), now: start, policy: policy) == .enqueued(dropped: 0))
        }
        #expect(state.enqueue(message(6, essential: true), now: start, policy: policy) == .closedSlow(.queueFull, dropped: 0))
        #expect(state.queue.isEmpty)
        guard case .event(.close(let code, _)) = state.next(now: start) else {
            Issue.record("expected a close event")
            return
        }
        #expect(code == 1013)
        guard case .finished = state.next(now: start) else {
            Issue.record("expected the outbox to be finished after the close event")
            return
        }
    }

    @Test func dropsByBytesAndAlwaysAcceptsOneLargeMessage() {
        var state = OutboxState()
        let big = OutboundMessage(bytes: Array(repeating: UInt8(ascii: "x"), count: 2_000))
        #expect(state.enqueue(big, now: start, policy: policy) == .enqueued(dropped: 0))
        #expect(state.enqueue(message(1), now: start, policy: policy) == .enqueued(dropped: 1))
        #expect(state.queuedBytes == message(1).bytes.count)
    }

    @Test func closesWhenTheWriterMakesNoProgressForTooLong() {
        var state = OutboxState()
        _ = state.enqueue(message(1), now: start, policy: policy)
        #expect(state.enqueue(message(2), now: start + .seconds(9), policy: policy) == .enqueued(dropped: 0))
        _ = state.next(now: start + .seconds(9))
        // The writer made progress at 9 s, so the clock restarts there.
        #expect(state.enqueue(message(3), now: start + .seconds(18), policy: policy) == .enqueued(dropped: 0))
        #expect(state.enqueue(message(4), now: start + .seconds(20), policy: policy) == .closedSlow(.stalled, dropped: 0))
        #expect(state.enqueue(message(5), now: start + .seconds(20), policy: policy) == .rejected)
    }

    @Test func idleConnectionIsNeverConsideredStalled() {
        var state = OutboxState()
        _ = state.enqueue(message(1), now: start, policy: policy)
        _ = state.next(now: start)
        #expect(state.enqueue(message(2), now: start + .seconds(3_600), policy: policy) == .enqueued(dropped: 0))
    }

    @Test func anEventDrivenWriterThatHasNotRunIsNotStalledWhileItsSocketIsWritable() {
        // The server's event loop was busy for 20 s: the client is not to blame.
        var state = OutboxState(reportsWritability: true)
        _ = state.enqueue(message(1), now: start, policy: policy)
        #expect(state.enqueue(message(2), now: start + .seconds(20), policy: policy) == .enqueued(dropped: 0))
        #expect(drain(&state) == [message(1).text, message(2).text])
    }

    @Test func anEventDrivenWriterIsStalledOnceItsSocketRefusesBytesForTooLong() {
        var state = OutboxState(reportsWritability: true)
        _ = state.enqueue(message(1), now: start, policy: policy)
        state.transport(writable: false, now: start + .seconds(5))
        #expect(state.enqueue(message(2), now: start + .seconds(14), policy: policy) == .enqueued(dropped: 0))
        // The socket drained once: the clock starts again when it next refuses bytes.
        state.transport(writable: true, now: start + .seconds(14))
        state.transport(writable: false, now: start + .seconds(15))
        #expect(state.enqueue(message(3), now: start + .seconds(24), policy: policy) == .enqueued(dropped: 0))
        #expect(state.enqueue(message(4), now: start + .seconds(26), policy: policy) == .closedSlow(.stalled, dropped: 0))
    }

    @Test func aSocketFullForLongWithNothingQueuedClosesOnlyAfterAMessageWaitsTooLong() {
        var state = OutboxState(reportsWritability: true)
        state.transport(writable: false, now: start)
        #expect(state.enqueue(message(1), now: start + .seconds(60), policy: policy) == .enqueued(dropped: 0))
        #expect(state.enqueue(message(2), now: start + .seconds(69), policy: policy) == .enqueued(dropped: 0))
        #expect(state.enqueue(message(3), now: start + .seconds(71), policy: policy) == .closedSlow(.stalled, dropped: 0))
    }
}
