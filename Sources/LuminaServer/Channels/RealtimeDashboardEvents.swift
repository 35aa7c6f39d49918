import Foundation
import Logging
import Realtime

/// Announces dashboard changes made through HTTP to every open copy of the dashboard.
struct RealtimeDashboardEvents: DashboardEventPublisher {
    let hub: ChannelHub
    let logger: Logger

    func dashboardUpdated(_ dashboard: Dashboard, by user: User) async {
        do {
            let data = try JSONEncoder.lumina.encode(dashboard)
            let body = try Realtime.JSONValue(parsing: Array(data))
            let message = OutboundMessage(type: "dashboard_update", fields: [
                "dashboard": body, "user": ChannelUser(id: user.id, name: user.name).json,
            ])
            try await hub.send(message, toGroup: .dashboard(dashboard.id))
        } catch {
            logger.error("dashboard_update not broadcast", metadata: ["dashboard_id": "\(dashboard.id)", "error": "\(error)"])
        }
    }
}
