import Foundation
import SQLKit

/// Uploads in progress and done: one row per file a user sends, from creation to its dataset.
struct UploadStore: UploadAccess {
    let database: Database

    enum Status: String, Sendable {
        case receiving, ingesting, complete, failed, expired
    }

    struct Upload: Sendable, Equatable {
        var id: Int
        var ownerID: Int
        var filename: String
        var size: Int64
        var received: Int64
        var status: Status
        var path: String
        var datasetID: Int?
        var error: String?
        var updatedAt: Date
    }

    /// Uploads are private to whoever made them; administrators may watch any.
    func isOwned(uploadID: Int, by user: User) async -> Bool {
        do {
            guard let upload = try await find(id: uploadID) else { return false }
            return upload.ownerID == user.id || user.role == .admin
        } catch {
            database.logger.error("upload lookup failed", metadata: ["upload_id": "\(uploadID)", "error": "\(error)"])
            return false
        }
    }

    /// Records a new upload; the caller names its file once the id is known.
    func create(ownerID: Int, filename: String, size: Int64, directory: String) async throws -> Upload {
        let now = Date()
        return try await database.withConnection { db in
            let id = try await db.insert(into: "uploads")
                .columns("owner_id", "filename", "size", "received", "status", "path", "created_at", "updated_at")
                .values(SQLBind(ownerID), SQLBind(filename), SQLBind(size), SQLBind(0), SQLBind(Status.receiving.rawValue),
                        SQLBind(""), SQLBind(now), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int.self)
            let path = (directory as NSString).appendingPathComponent("upload-\(id).part")
            try await db.update("uploads").set("path", to: SQLBind(path)).where("id", .equal, SQLBind(id)).run()
            return Upload(id: id, ownerID: ownerID, filename: filename, size: size, received: 0, status: .receiving,
                          path: path, datasetID: nil, error: nil, updatedAt: now)
        }
    }

    func find(id: Int) async throws -> Upload? {
        try await database.withConnection { db in
            try await db.select().column("*").from("uploads").where("id", .equal, SQLBind(id)).first().map(Self.decode)
        }
    }

    /// Notes how many bytes are on disk (what a reconnecting client resumes from).
    func setReceived(id: Int, bytes: Int64) async throws {
        try await database.withConnection { db in
            try await db.update("uploads").set("received", to: SQLBind(bytes)).set("updated_at", to: SQLBind(Date()))
                .where("id", .equal, SQLBind(id)).run()
        }
    }

    func setStatus(id: Int, _ status: Status, error: String? = nil, in db: (any SQLDatabase)? = nil) async throws {
        let update: @Sendable (any SQLDatabase) async throws -> Void = { db in
            try await db.update("uploads").set("status", to: SQLBind(status.rawValue)).set("error", to: SQLBind(error))
                .set("updated_at", to: SQLBind(Date())).where("id", .equal, SQLBind(id)).run()
        }
        if let db { try await update(db) } else { try await database.withConnection { try await update($0) } }
    }

    /// Marks an upload complete with its dataset, inside the ingest transaction.
    func complete(id: Int, datasetID: Int, received: Int64, in db: any SQLDatabase) async throws {
        try await db.update("uploads").set("status", to: SQLBind(Status.complete.rawValue))
            .set("dataset_id", to: SQLBind(datasetID)).set("received", to: SQLBind(received)).set("error", to: SQLBind(nil as String?))
            .set("updated_at", to: SQLBind(Date())).where("id", .equal, SQLBind(id)).run()
    }

    /// Uploads still receiving that nobody touched since `cutoff` (abandoned mid-way).
    func stale(before cutoff: Date) async throws -> [Upload] {
        try await database.withConnection { db in
            try await db.select().column("*").from("uploads").where("status", .equal, SQLBind(Status.receiving.rawValue))
                .where("updated_at", .lessThan, SQLBind(cutoff)).all().map(Self.decode)
        }
    }

    private static func decode(_ row: any SQLRow) throws -> Upload {
        Upload(id: try row.decode(column: "id", as: Int.self), ownerID: try row.decode(column: "owner_id", as: Int.self),
               filename: try row.decode(column: "filename", as: String.self), size: try row.decode(column: "size", as: Int64.self),
               received: try row.decode(column: "received", as: Int64.self),
               status: Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
               path: try row.decode(column: "path", as: String.self), datasetID: try row.decode(column: "dataset_id", as: Int?.self),
               error: try row.decode(column: "error", as: String?.self), updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
