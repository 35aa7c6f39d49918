import Foundation
import Logging
import NIOCore
import Realtime

/// Coordinates uploads: creation, one writer at a time per upload, progress events to the upload's
/// group, ingest on completion, and what happens after (cleaning starts if configured).
///
/// The WebSocket and `PUT` paths share everything here, so a script's upload publishes the same
/// `upload_progress` events a browser's does.
actor UploadService {
    let store: UploadStore
    let hub: ChannelHub
    let ingest: IngestService
    let directory: String
    let maxSize: Int64
    let logger: Logger
    /// Called with a new dataset once it is stored; starts cleaning (as background work) when that
    /// is configured, and must return without waiting for it.
    let onDatasetCreated: @Sendable (IngestService.Ingested) async -> Void

    /// Uploads with a writer on this node, with a way to stop that writer. A reconnecting browser
    /// takes over from its own stale connection (the old socket may not have noticed yet that the
    /// network dropped); a writer that cannot be stopped (`PUT`) makes the newcomer wait its turn.
    private var writing: [Int: (@Sendable () -> Void)?] = [:]

    init(store: UploadStore, hub: ChannelHub, ingest: IngestService, directory: String, maxSize: Int64, logger: Logger,
         onDatasetCreated: @escaping @Sendable (IngestService.Ingested) async -> Void) {
        self.store = store
        self.hub = hub
        self.ingest = ingest
        self.directory = directory
        self.maxSize = maxSize
        self.logger = logger
        self.onDatasetCreated = onDatasetCreated
    }

    enum CreateError: Error {
        case invalid([String: String])
        case tooLarge(limit: Int64)
    }

    /// Records a new upload after checking its name and announced size.
    func create(ownerID: Int, filename: String, size: Int64) async throws -> UploadStore.Upload {
        var problems: [String: String] = [:]
        let name = filename.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { problems["filename"] = "Name the file, e.g. \"sales.csv\"." }
        if name.utf8.count > 255 { problems["filename"] = "The file name is longer than 255 bytes." }
        if name.contains("/") || name.contains("\\") || name.contains("\0") { problems["filename"] = "The file name must not contain a path." }
        if size <= 0 { problems["size"] = "The file is empty: there is nothing to upload." }
        guard problems.isEmpty else { throw CreateError.invalid(problems) }
        guard size <= maxSize else { throw CreateError.tooLarge(limit: maxSize) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try await store.create(ownerID: ownerID, filename: name, size: size, directory: directory)
    }

    /// Claims `uploadID` for one writer and opens its file (continuing, or from the start with `restart`).
    /// `stop` lets a later connection end this one; without it, later writers are refused as busy.
    func begin(_ uploadID: Int, restart: Bool = false, stop: (@Sendable () -> Void)? = nil) async throws(UploadError) -> UploadReceiver {
        if let current = writing[uploadID] {
            guard let stopCurrent = current else { throw .busy }
            stopCurrent()
            // The old writer records its offset in `end`; wait (briefly) for it before continuing.
            for _ in 0..<100 where writing[uploadID] != nil {
                try? await Task.sleep(for: .milliseconds(50))
            }
            guard writing[uploadID] == nil else { throw .busy }
        }
        writing[uploadID] = .some(stop)
        do {
            guard let upload = try await store.find(id: uploadID) else { throw UploadError.notReceiving(status: "gone") }
            guard upload.status == .receiving else { throw UploadError.notReceiving(status: upload.status.rawValue) }
            return try await UploadReceiver.open(upload, restart: restart)
        } catch {
            writing[uploadID] = nil
            throw (error as? UploadError) ?? .storage("\(error)")
        }
    }

    /// Releases the claim and remembers how far the upload got.
    func end(_ receiver: UploadReceiver) async {
        await receiver.close()
        writing[receiver.upload.id] = nil
        if !receiver.isComplete {
            try? await store.setReceived(id: receiver.upload.id, bytes: receiver.received)
        }
    }

    /// Writes one chunk and publishes the milestones it reached; at the last byte, ingests the file.
    /// Returns the dataset id once the upload is complete, nil while more is expected.
    func receive(_ buffer: ByteBuffer, into receiver: UploadReceiver) async throws(UploadError) -> Int? {
        let milestones: [Int]
        do {
            milestones = try await receiver.write(buffer)
        } catch .tooMuchData(let expected) {
            await fail(receiver, UploadError.tooMuchData(expected: expected))
            throw .tooMuchData(expected: expected)
        }
        for percent in milestones {
            await publish(receiver.upload.id, "upload_progress", [
                "progress": .integer(percent), "bytes": .integer(Int(receiver.received)), "total": .integer(Int(receiver.upload.size)),
            ], essential: true)
        }
        if !milestones.isEmpty, !receiver.isComplete {
            try? await store.setReceived(id: receiver.upload.id, bytes: receiver.received)
        }
        guard receiver.isComplete else { return nil }
        return try await finish(receiver)
    }

    /// The last byte arrived: store the dataset and announce it, or fail the upload for good.
    private func finish(_ receiver: UploadReceiver) async throws(UploadError) -> Int {
        await receiver.close()
        let upload = receiver.upload
        try? await store.setStatus(id: upload.id, .ingesting)
        let hub = self.hub
        do {
            let ingested = try await ingest.ingest(upload) { stage, percent in
                await Self.publish(hub, upload.id, "ingest_progress", ["stage": .string(stage), "progress": .integer(percent)], essential: false)
            }
            let datasetID = ingested.datasetID
            await publish(upload.id, "upload_complete", ["dataset_id": .integer(datasetID)], essential: true)
            // Open dataset lists (the owner's and administrators') add the new row without a reload.
            let created = OutboundMessage(type: "dataset_created", fields: ["dataset_id": .integer(datasetID)], essential: true)
            try? await hub.send(created, toGroup: .user(upload.ownerID))
            try? await hub.send(created, toGroup: AdminAudience.group)
            await onDatasetCreated(ingested)
            return datasetID
        } catch {
            await fail(receiver, error)
            throw error
        }
    }

    /// Marks the upload failed and removes its file: a failed upload leaves nothing behind.
    private func fail(_ receiver: UploadReceiver, _ error: UploadError) async {
        await receiver.close()
        try? FileManager.default.removeItem(atPath: receiver.upload.path)
        try? await store.setStatus(id: receiver.upload.id, .failed, error: error.description)
        logger.notice("upload failed", metadata: ["upload_id": "\(receiver.upload.id)", "code": "\(error.code)", "error": "\(error)"])
    }

    /// Expires uploads nobody finished since `cutoff` and deletes their files.
    func expire(before cutoff: Date) async throws -> Int {
        var expired = 0
        for upload in try await store.stale(before: cutoff) where writing[upload.id] == nil {
            try? FileManager.default.removeItem(atPath: upload.path)
            try await store.setStatus(id: upload.id, .expired, error: "The upload was not finished in time and was discarded.")
            expired += 1
        }
        return expired
    }

    private func publish(_ uploadID: Int, _ type: String, _ fields: [String: Realtime.JSONValue], essential: Bool) async {
        await Self.publish(hub, uploadID, type, fields, essential: essential)
    }

    static func publish(_ hub: ChannelHub, _ uploadID: Int, _ type: String, _ fields: [String: Realtime.JSONValue], essential: Bool) async {
        var fields = fields
        fields["upload_id"] = .integer(uploadID)
        try? await hub.send(OutboundMessage(type: type, fields: fields, essential: essential), toGroup: .upload(uploadID))
    }
}
