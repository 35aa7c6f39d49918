/// The envelope `type`s of the contract, and which of them only the server may send.
public enum MessageTypes {
    /// Types a client may never send, on a socket or through the push API: they carry server state
    /// (presence, progress, job results) that other clients trust.
    public static let serverOnly: Set<String> = [
        "presence", "presence_diff", "insights_generated", "dashboard_update", "report_generated",
        "upload_progress", "upload_resume", "upload_complete", "cleaning_progress", "job_finished", "error",
    ]

    /// Families of server types, so a future `upload_failed` or `job_started` is refused too.
    static let serverOnlyPrefixes = ["upload_", "job_", "cleaning_", "presence"]

    /// Types a dashboard member may send on `/ws/dashboard/<id>/` to be relayed to the others.
    public static let dashboardRelayed: Set<String> = ["filter_change", "widget_update"]

    /// Whether clients are refused messages of `type`.
    public static func isServerOnly(_ type: String) -> Bool {
        serverOnly.contains(type) || serverOnlyPrefixes.contains { type.hasPrefix($0) }
    }
}
