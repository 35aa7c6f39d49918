import Realtime
import ServiceLifecycle

/// Runs the hub as one of the application's services.
///
/// The hub's `run()` ends on cancellation but knows nothing of graceful shutdown, so this turns
/// SIGTERM into cancellation; without it the service group would wait for the hub forever.
struct ChannelHubService: Service {
    let hub: ChannelHub

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await hub.run() }
        } catch is CancellationError {
            return
        }
    }
}
