import Foundation
import Hummingbird

/// An error meant for the client, rendered as the contract's `{"error":{"code","message","details"}}`
/// or as an HTML page by `ErrorMiddleware`.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: JSONValue? = nil
    var headers: HTTPFields = [:]

    static let unauthenticated = APIError(status: .unauthorized, code: "not_authenticated",
                                          message: "Sign in first: this needs a session or a bearer token.")
    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }
    static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "No \(what) with that id, or you do not have access to it.")
    }
    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }
    static func conflict(_ code: String, _ message: String, details: JSONValue? = nil) -> APIError {
        APIError(status: .conflict, code: code, message: message, details: details)
    }
    static func validation(_ fields: [String: String]) -> APIError {
        let summary = fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return APIError(status: .unprocessableContent, code: "validation_error", message: summary,
                        details: .object(fields.mapValues { .string($0) }))
    }
    static func rateLimited(_ message: String, retryAfter seconds: Int) -> APIError {
        APIError(status: .tooManyRequests, code: "rate_limited", message: message,
                 details: .object(["retry_after": .number(Double(seconds))]),
                 headers: [.retryAfter: "\(seconds)"])
    }
    static func tooLarge(_ message: String) -> APIError {
        APIError(status: .contentTooLarge, code: "too_large", message: message)
    }
    static let csrf = APIError(status: .forbidden, code: "csrf_failed",
                               message: "The form's security token is missing or out of date. Reload the page and try again.")

    /// The contract's JSON body.
    var jsonBody: ByteBuffer {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let details { error["details"] = details }
        let data = (try? JSONEncoder.sortedCompact.encode(JSONValue.object(["error": .object(error)]))) ?? Data()
        return ByteBuffer(bytes: data)
    }
}
