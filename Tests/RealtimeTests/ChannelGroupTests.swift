import Testing
import Realtime

@Suite struct ChannelGroupTests {
    @Test func acceptsContractGroupNames() throws {
        for name in ["dashboard_5", "upload_7", "datacleaning_12", "insights", "user_3"] {
            #expect(try ChannelGroup(name).name == name)
        }
        #expect(ChannelGroup.dashboard(5).name == "dashboard_5")
        #expect(ChannelGroup.dataCleaning(12).name == "datacleaning_12")
    }

    @Test(arguments: ["", "Dashboard_5", "5dashboard", "dash-board", "dashboard 5", "dashboard:5", "é", String(repeating: "a", count: 65)])
    func rejectsInvalidGroupNames(_ name: String) {
        #expect(throws: ChannelError.invalidGroupName(name)) { try ChannelGroup(name) }
    }
}
