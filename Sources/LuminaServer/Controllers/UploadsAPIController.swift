import Foundation
import Hummingbird

/// `/api/v1/uploads`: create an upload, then send it over `/ws/upload/<id>/` or with `PUT`.
struct UploadsAPIController: Sendable {
    let service: UploadService
    let datasets: DatasetStore
    let maxBodySize: Int

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.post(use: create)
        group.get(":id", use: show)
        group.put(":id", use: put)
    }

    @Sendable func create(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireCreator()
        var body = try await JSONBody(request, limit: maxBodySize)
        let filename = body.string("filename", maxLength: 255)
        let size = body.int("size")
        try body.validate()
        do {
            let upload = try await service.create(ownerID: user.id, filename: filename ?? "", size: Int64(size ?? 0))
            struct Created: Encodable {
                let uploadId: Int
                let wsUrl: String
                let offset: Int
                enum CodingKeys: String, CodingKey { case uploadId = "upload_id", wsUrl = "ws_url", offset }
            }
            return try .json(Created(uploadId: upload.id, wsUrl: "/ws/upload/\(upload.id)/", offset: 0), status: .created)
        } catch UploadService.CreateError.invalid(let problems) {
            throw APIError.validation(problems)
        } catch UploadService.CreateError.tooLarge(let limit) {
            throw APIError.tooLarge("The file is larger than the \(ByteCountFormatter.string(fromByteCount: limit, countStyle: .binary)) upload limit.")
        }
    }

    /// An upload's state, for scripts that resume with their own client.
    @Sendable func show(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let upload = try await owned(context)
        return try .json(UploadResource(upload))
    }

    /// The whole file as the request body (`curl -T sales.csv`); answers 201 with the dataset.
    @Sendable func put(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let upload = try await owned(context)
        let receiver: UploadReceiver
        do {
            receiver = try await service.begin(upload.id, restart: true)
        } catch {
            throw Self.apiError(error)
        }
        var datasetID: Int?
        do {
            for try await buffer in request.body {
                datasetID = try await service.receive(buffer, into: receiver)
            }
        } catch let error as UploadError {
            await service.end(receiver)
            throw Self.apiError(error)
        } catch {
            await service.end(receiver)
            throw error
        }
        await service.end(receiver)
        guard let datasetID else {
            throw Self.apiError(.incomplete(received: receiver.received, expected: upload.size))
        }
        guard let dataset = try await datasets.find(id: datasetID, for: user) else { throw APIError.notFound("dataset") }
        return try .json(DatasetResource(dataset, columns: try await datasets.columns(of: datasetID, stage: "raw")), status: .created)
    }

    private func owned(_ context: LuminaRequestContext) async throws -> UploadStore.Upload {
        let user = try context.requireUser()
        let id = try context.parameters.id("id", "upload")
        guard let upload = try await service.store.find(id: id), upload.ownerID == user.id || user.role == .admin else {
            throw APIError.notFound("upload")
        }
        return upload
    }

    static func apiError(_ error: UploadError) -> APIError {
        switch error {
        case .busy: APIError.conflict(error.code, error.description)
        case .tooMuchData: APIError(status: .contentTooLarge, code: error.code, message: error.description)
        case .incomplete, .notReceiving: APIError(status: .conflict, code: error.code, message: error.description)
        case .unreadable: APIError(status: .unprocessableContent, code: error.code, message: error.description)
        case .storage, .ingestFailed: APIError(status: .internalServerError, code: error.code, message: error.description)
        }
    }
}

/// An upload as `GET /api/v1/uploads/<id>` shows it.
struct UploadResource: Encodable {
    let id: Int
    let filename: String
    let size: Int64
    let received: Int64
    let status: String
    let datasetId: Int?
    let error: String?

    init(_ upload: UploadStore.Upload) {
        id = upload.id; filename = upload.filename; size = upload.size; received = upload.received
        status = upload.status.rawValue; datasetId = upload.datasetID; error = upload.error
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size, received, status, error
        case datasetId = "dataset_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(filename, forKey: .filename)
        try c.encode(size, forKey: .size)
        try c.encode(received, forKey: .received)
        try c.encode(status, forKey: .status)
        try c.encode(datasetId, forKey: .datasetId)
        try c.encode(error, forKey: .error)
    }
}
