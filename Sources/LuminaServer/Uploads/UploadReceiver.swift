import Foundation
import NIOCore
import NIOFileSystem

/// Writes one upload's bytes to its file as they arrive and says which milestones they reached.
///
/// Bytes go to disk at once (through NIO's file-system thread pool, never on an event loop), so an
/// upload of any size costs one chunk of memory; the file's length is the resume offset.
/// One task uses a receiver at a time (the socket or the PUT request that claimed the upload).
final class UploadReceiver: @unchecked Sendable {
    let upload: UploadStore.Upload
    private var handle: WriteFileHandle?
    private(set) var received: Int64

    private init(upload: UploadStore.Upload, handle: WriteFileHandle, received: Int64) {
        self.upload = upload
        self.handle = handle
        self.received = received
    }

    /// Opens the upload's file to continue where it stopped, or from the start with `restart`.
    static func open(_ upload: UploadStore.Upload, restart: Bool) async throws(UploadError) -> UploadReceiver {
        do {
            let handle = try await FileSystem.shared.openFile(
                forWritingAt: FilePath(upload.path), options: .modifyFile(createIfNecessary: true))
            var size = try await handle.info().size
            if restart || size > upload.size {
                try await handle.resize(to: .bytes(0))
                size = 0
            }
            return UploadReceiver(upload: upload, handle: handle, received: size)
        } catch {
            throw .storage("\(error)")
        }
    }

    var isComplete: Bool { received == upload.size }

    /// Appends `buffer`; returns the milestones (10, 25, 50, 75, 100) it reached, in order.
    func write(_ buffer: ByteBuffer) async throws(UploadError) -> [Int] {
        guard let handle else { throw .notReceiving(status: "closed") }
        let count = Int64(buffer.readableBytes)
        guard count > 0 else { return [] }
        guard received + count <= upload.size else { throw .tooMuchData(expected: upload.size) }
        do {
            try await handle.write(contentsOf: buffer, toAbsoluteOffset: received)
        } catch {
            throw .storage("\(error)")
        }
        let before = received
        received += count
        return UploadMilestones.crossed(from: before, to: received, total: upload.size)
    }

    /// Flushes and closes the file (data is on disk before ingest reads it).
    func close() async {
        guard let handle else { return }
        self.handle = nil
        do {
            try await handle.close(makeChangesVisible: true)
        } catch {
            try? await handle.close()
        }
    }
}
