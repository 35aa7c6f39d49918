import Foundation
import Hummingbird
import Logging

/// Turns every error into the contract's JSON error or an HTML page, chosen by the path and `Accept`,
/// so clients never see a stack trace and unknown routes are a clean 404, never a 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = LuminaRequestContext
    let views: ViewRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, request: request, logger: context.logger)
            return render(apiError, request: request, context: context)
        }
    }

    static func apiError(for error: any Error, request: Request, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return APIError(status: .notFound, code: "not_found", message: "There is no page or endpoint at \(request.uri.path).")
            case .contentTooLarge:
                return .tooLarge("The request body is larger than this server accepts.")
            case .methodNotAllowed:
                return APIError(status: .methodNotAllowed, code: "method_not_allowed",
                                message: "\(request.method) is not allowed on \(request.uri.path).")
            default:
                return APIError(status: error.status, code: error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
                                message: error.body ?? error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError:
            return APIError(status: error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
        default:
            logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return APIError(status: .internalServerError, code: "internal_error",
                            message: "Something went wrong on the server. It has been logged.")
        }
    }

    static func wantsJSON(_ request: Request) -> Bool {
        let accept = request.headers[.accept] ?? ""
        if accept.contains("application/json") { return true }
        if accept.contains("text/html") { return false }
        return request.uri.path.hasPrefix("/api/")
    }

    private func render(_ error: APIError, request: Request, context: Context) -> Response {
        var headers = error.headers
        if Self.wantsJSON(request) {
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: error.status, headers: headers, body: .init(byteBuffer: error.jsonBody))
        }
        let page = ErrorPage(status: Int(error.status.code), title: error.status.reasonPhrase, message: error.message)
        let html = views.render("error", page: page, context: context)
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

struct ErrorPage: Sendable {
    let status: Int
    let title: String
    let message: String
}
