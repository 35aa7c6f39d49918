import Foundation
import Hummingbird

extension Response {
    /// A JSON response in the contract's encoding.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.lumina.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The contract's list shape `{"results":[...],"count":N}`.
    static func list<T: Encodable>(_ results: [T], count: Int? = nil) throws -> Response {
        try json(ListResponse(results: results, count: count ?? results.count))
    }
}

struct ListResponse<T: Encodable>: Encodable {
    let results: [T]
    let count: Int
}

/// `offset`/`limit` query parameters, clamped to sane bounds.
struct Page: Sendable {
    let offset: Int
    let limit: Int

    init(_ request: Request, defaultLimit: Int = 100, maxLimit: Int = 1000) throws {
        let query = request.uri.queryParameters
        func int(_ key: String) throws -> Int? {
            guard let text = query[Substring(key)].map(String.init) else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw APIError.badRequest("invalid_parameter", "'\(key)' must be a non-negative integer, got '\(text)'.")
            }
            return value
        }
        offset = try int("offset") ?? 0
        limit = min(try int("limit") ?? defaultLimit, maxLimit)
    }
}

extension Parameters {
    /// A path id, or 404 (a malformed id names no object).
    func id(_ key: String = "id", _ what: String) throws -> Int {
        guard let text = self.get(key), let id = Int(text), id > 0 else { throw APIError.notFound(what) }
        return id
    }
}
