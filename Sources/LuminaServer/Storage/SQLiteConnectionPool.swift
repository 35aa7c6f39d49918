import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// A few SQLite connections to one file, handed out one caller at a time.
///
/// WAL mode lets readers proceed while one writer holds the lock; `busy_timeout` makes a second
/// writer wait instead of failing. Waiters queue in order; the pool never opens more than `size`.
actor SQLiteConnectionPool {
    private var idle: [SQLiteConnection] = []
    private var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    private var all: [SQLiteConnection] = []

    init(path: String, size: Int, logger: Logger) async throws {
        for _ in 0..<size {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
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
    }
}
