import HummingbirdWebSocket
import Logging
import NIOCore
import Realtime

/// `/ws/upload/<id>/`: the file comes in as binary frames; `upload_resume`, `upload_progress`,
/// `ingest_progress` and `upload_complete` (or one `error`) go out.
///
/// The socket path is the subscription: reconnecting to it resumes the upload at the offset the
/// server announces in `upload_resume`, so a dropped connection never starts the file over.
struct UploadSocket {
    let hub: ChannelHub
    let service: UploadService
    let logger: Logger

    /// Close code for an upload the client got wrong (too much data, a finished or failed upload).
    static let rejected: UInt16 = 4400
    /// Close code when another connection is already sending this upload (a script's `PUT`).
    static let busy: UInt16 = 4409
    /// Close code for a stale connection when the same upload reconnects.
    static let superseded: UInt16 = 4000

    func run(user: ChannelUser, uploadID: Int, socket: LiveSocket) async {
        let connection = await hub.connect(user: user, writing: .eventDriven)
        do {
            try await hub.add(connection, to: .upload(uploadID))
        } catch {
            await hub.disconnect(connection)
            socket.close(code: 1011, reason: "\(error)")
            return
        }
        var receiver: UploadReceiver?
        switch try? await service.store.find(id: uploadID) {
        case let upload? where upload.status == .complete:
            // Finished earlier (the client reconnected after missing the event): say so again.
            hub.send(OutboundMessage(type: "upload_complete", fields: [
                "upload_id": .integer(uploadID), "dataset_id": upload.datasetID.map { .integer($0) } ?? .null,
            ], essential: true), toConnection: connection)
        case let upload? where upload.status == .receiving:
            do {
                let opened = try await service.begin(uploadID) {
                    connection.close(code: Self.superseded, reason: "a newer connection continues this upload")
                }
                receiver = opened
                hub.send(OutboundMessage(type: "upload_resume", fields: [
                    "upload_id": .integer(uploadID), "offset": .integer(Int(opened.received)), "total": .integer(Int(upload.size)),
                ], essential: true), toConnection: connection)
            } catch {
                refuse(connection, error, code: error == .busy ? Self.busy : Self.rejected)
            }
        case let upload?:
            let reason = upload.error.map { UploadError.unreadable(code: "upload_\(upload.status.rawValue)", message: $0) }
                ?? UploadError.notReceiving(status: upload.status.rawValue)
            refuse(connection, reason, code: Self.rejected)
        case nil:
            refuse(connection, .storage("the upload could not be read from the database"), code: 1011)
        }
        let active = receiver
        let service = self.service
        SocketSession.serve(socket, hub: hub, connection: connection, onMessage: { message in
            guard let receiver = active else { return }
            switch message {
            case .binary(let buffer):
                do {
                    _ = try await service.receive(buffer, into: receiver)
                } catch let error as UploadError {
                    refuse(connection, error, code: error.code == "storage_error" ? 1011 : Self.rejected)
                } catch {
                    refuse(connection, .storage("\(error)"), code: 1011)
                }
            case .text:
                SocketSession.sendError(hub, connection, code: "unexpected_message",
                                        message: "Send the file as binary frames; this socket takes no text messages.")
            }
        }, onEnd: {
            if let receiver = active { await service.end(receiver) }
        })
    }

    /// Sends one `error` and closes once it has been written.
    private func refuse(_ connection: ChannelConnection, _ error: UploadError, code: UInt16) {
        SocketSession.sendError(hub, connection, code: error.code, message: error.description)
        connection.close(code: code, reason: error.code, flush: true)
    }
}
