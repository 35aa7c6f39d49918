import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// A few SQLite connections to one file, handed out one caller at a time.
///
/// WAL mode lets readers proceed while one writer holds the lock; `busy_timeout` makes a second
/// writer wait instead of failing. Waiters queue in order; the pool never opens more than `size`.
///
/// The connections run their blocking calls on a thread pool of their own with one thread per
/// connection. On sqlite-nio's shared pool (two threads on a two-core machine) two writers
/// sleeping in `busy_timeout` took both threads, so the transaction holding the lock could not
/// run its COMMIT until they timed out: the whole server stalled for 15 s at a time.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection] = []
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    private var all: [SQLiteConnection] = []
    private let threads: NIOThreadPool

    init(path: String, size: Int, logger: Logger) async throws {
        threads = NIOThreadPool(numberOfThreads: max(1, size))
        threads.start()
        for _ in 0..<size {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger,
                                                             on: MultiThreadedEventLoopGroup.singleton.any()).get()
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=15000",
                           "PRAGMA synchronous=NORMAL"] {
                _ = try await connection.query(pragma)
            }
            idle.append(connection)
            all.append(connection)
        }
    }

    nonisolated func withConnection<R: Sendable>(_ body: (SQLiteConnection) async throws -> R) async throws -> R {
        let connection = await checkout()
        do {
            let result = try await body(connection)
            await checkin(connection)
            return result
        } catch {
            await checkin(connection)
            throw error
        }
    }

    private func checkout() async -> SQLiteConnection {
        if let connection = idle.popLast() { return connection }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func checkin(_ connection: SQLiteConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    func close() async {
        for connection in all { try? await connection.close() }
        all.removeAll()
        idle.removeAll()
        try? await threads.shutdownGracefully()
    }
}
