import Foundation
import SQLKit

/// Uploads in progress and done.
struct UploadStore: UploadAccess {
    let database: Database

    /// Uploads are private to whoever made them; administrators may watch any.
    func isOwned(uploadID: Int, by user: User) async -> Bool {
        do {
            return try await database.withConnection { db in
                guard let row = try await db.select().column("owner_id").from("uploads").where("id", .equal, uploadID).first()
                else { return false }
                return try row.decode(column: "owner_id", as: Int.self) == user.id || user.role == .admin
            }
        } catch {
            database.logger.error("upload lookup failed", metadata: ["upload_id": "\(uploadID)", "error": "\(error)"])
            return false
        }
    }
}
