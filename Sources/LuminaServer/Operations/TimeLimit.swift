import NIOConcurrencyHelpers

/// `operation` did not finish within its time limit.
struct TimeLimitExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// Runs `operation` and gives up after `limit`, without waiting for it to notice.
///
/// Why not a task group: a group waits for its children, and a database call waiting for a pooled
/// connection while the database is down may not end when cancelled, which is exactly when a
/// limit matters (a node saying goodbye on shutdown must not keep the process alive). The
/// operation is cancelled when the limit passes and left to finish on its own.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let resumed = NIOLockedValueBox(false)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        @Sendable func finish(_ result: Result<T, any Error>) -> Bool {
            let first = resumed.withLockedValue { done in
                defer { done = true }
                return !done
            }
            if first { continuation.resume(with: result) }
            return first
        }
        let work = Task {
            do {
                _ = finish(.success(try await operation()))
            } catch {
                _ = finish(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: limit)
            if finish(.failure(TimeLimitExceeded(limit: limit))) { work.cancel() }
        }
    }
}
