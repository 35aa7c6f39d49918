import Testing
import Realtime

@Suite struct BackendWireTests {
    let node = ChannelNodeID("0123456789abcdef")

    @Test(arguments: [
        ChannelBackendEvent.message(ChannelBackendMessage(
            group: .dashboard(5), bytes: Array(#"{"type":"filter_change","note":"line\nbreak"}"#.utf8), essential: true,
            origin: ChannelNodeID("0123456789abcdef"), excluding: 42
        )),
        .message(ChannelBackendMessage(group: .insights, bytes: Array(#"{"type":"x"}"#.utf8), essential: false, origin: ChannelNodeID("n"))),
        .presence(PresenceSnapshot(node: ChannelNodeID("n"), group: .dashboard(1), revision: UInt64.max, users: [ChannelUser(id: 1, name: "Zoë \"Z\"")])),
        .presenceQuery(group: .dashboard(2), from: ChannelNodeID("n")),
        .heartbeat(node: ChannelNodeID("n")),
        .nodeLeft(ChannelNodeID("n")),
    ])
    func roundTripsEveryPublishedEvent(_ event: ChannelBackendEvent) throws {
        let payload = try #require(event.wirePayload())
        #expect(try ChannelBackendEvent(wirePayload: payload) == event)
    }

    @Test func carriesMessageBytesUnchangedAfterTheHeader() throws {
        let body = Array(#"{"type":"upload_progress","progress":25}"#.utf8)
        let event = ChannelBackendEvent.message(ChannelBackendMessage(group: .upload(7), bytes: body, essential: false, origin: node))
        let payload = try #require(event.wirePayload())
        #expect(Array(payload.suffix(body.count)) == body)
    }

    @Test func keepsResynchronizeLocal() {
        #expect(ChannelBackendEvent.resynchronize.wirePayload() == nil)
    }

    @Test(arguments: ["", "{}", #"{"k":"m","o":"n","g":"dashboard_1"}"#, #"{"k":"z","o":"n"}"#, #"{"k":"q","o":"n","g":"Bad Group"}"#])
    func rejectsMalformedPayloads(_ text: String) {
        #expect(throws: ChannelError.self) { try ChannelBackendEvent(wirePayload: Array(text.utf8)) }
    }
}
