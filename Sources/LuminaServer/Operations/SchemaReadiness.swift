/// Opens once the database schema is migrated, so background services never query tables that do
/// not exist yet.
///
/// Migrations run in `beforeServerStarts`, while the service group is already starting the
/// database client and the background services next to it; services that touch tables wait here.
actor SchemaReadiness {
    private var isReady = false
    private var nextWaiter = 0
    private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]

    /// Called after the migrations have been applied.
    func markReady() {
        isReady = true
        for waiter in waiters.values { waiter.resume(returning: true) }
        waiters = [:]
    }

    /// Waits until the schema is ready. Returns false when the task was cancelled first (a failed
    /// migration shuts the server down while services are still waiting).
    func wait() async -> Bool {
        if isReady { return true }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if isReady || Task.isCancelled {
                    continuation.resume(returning: isReady)
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume(returning: false)
    }
}
