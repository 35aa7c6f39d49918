import Testing
import Realtime

@Suite struct DashboardRelayTests {
    let ada = ChannelUser(id: 1, name: "Ada")

    @Test func stampsAnEditorsFilterChangeWithTheSender() throws {
        let frame = Array(#"{"type":"filter_change","filters":{"region":"EU"},"user":{"id":9,"name":"Mallory"}}"#.utf8)
        guard case .broadcast(let type, let message) = try DashboardRelay.decide(frame: frame, from: ada, canEdit: true) else {
            Issue.record("expected a broadcast")
            return
        }
        #expect(type == "filter_change")
        let value = try JSONValue(parsing: message.bytes)
        #expect(value["user"] == ["id": 1, "name": "Ada"])
        #expect(value["filters"] == ["region": "EU"])
    }

    @Test func keepsAViewersFilterChangePrivateAndRefusesTheirWidgetUpdate() throws {
        let filter = Array(#"{"type":"filter_change","filters":{}}"#.utf8)
        guard case .keepPrivate = try DashboardRelay.decide(frame: filter, from: ada, canEdit: false) else {
            Issue.record("expected keepPrivate")
            return
        }
        let widget = Array(#"{"type":"widget_update","widget":{},"version":3}"#.utf8)
        #expect(throws: ChannelError.forbiddenMessageType("widget_update")) {
            try DashboardRelay.decide(frame: widget, from: ada, canEdit: false)
        }
    }

    @Test(arguments: ["presence", "presence_diff", "insights_generated", "dashboard_update", "report_generated",
                      "upload_progress", "upload_complete", "cleaning_progress", "job_finished", "error", "chat"])
    func refusesServerOnlyAndUnknownTypesOnTheDashboardSocket(_ type: String) {
        let frame = Array(#"{"type":"\#(type)"}"#.utf8)
        #expect(throws: ChannelError.forbiddenMessageType(type)) {
            try DashboardRelay.decide(frame: frame, from: ada, canEdit: true)
        }
    }

    @Test(arguments: ["[1]", "{}", #"{"type":3}"#, #"{"type":""}"#, "not json"])
    func refusesMalformedFrames(_ text: String) {
        #expect(throws: ChannelError.self) { try DashboardRelay.decide(frame: Array(text.utf8), from: ada, canEdit: true) }
    }

    @Test func pushAPIAcceptsCustomTypesButNotServerTypes() throws {
        let message = try DashboardRelay.pushEvent(["type": "annotation", "text": "deploy"], from: ada)
        #expect(try JSONValue(parsing: message.bytes)["user"]?["name"] == "Ada")
        #expect(throws: ChannelError.forbiddenMessageType("upload_failed")) {
            try DashboardRelay.pushEvent(["type": "upload_failed"], from: ada)
        }
    }
}
