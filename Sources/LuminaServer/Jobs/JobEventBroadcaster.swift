import Foundation
import JobScheduler
import Logging
import Realtime

/// Tells administrators' open pages about runs as they start, progress and finish.
///
/// Messages go to the `admins` group that every admin's `/ws/notifications/` socket joins, so the
/// jobs page and the run page update without a reload, on whichever node the admin is connected to.
struct JobEventBroadcaster: JobEventSink {
    let hub: ChannelHub
    let logger: Logger

    func jobStarted(_ run: JobRun) async { await send("job_started", run, essential: true) }
    func jobProgress(_ run: JobRun) async { await send("job_progress", run, essential: false) }
    func jobFinished(_ run: JobRun) async { await send("job_finished", run, essential: true) }

    private struct Envelope: Encodable {
        let type: String
        let job: String
        let status: String
        let run: JobRunView
    }

    private func send(_ type: String, _ run: JobRun, essential: Bool) async {
        do {
            let bytes = try JSONEncoder.lumina.encode(Envelope(type: type, job: run.job, status: run.status.rawValue, run: JobRunView(run)))
            try await hub.send(OutboundMessage(bytes: Array(bytes), essential: essential), toGroup: AdminAudience.group)
        } catch {
            logger.warning("job event not broadcast", metadata: ["type": "\(type)", "job": "\(run.job)", "error": "\(error)"])
        }
    }
}
