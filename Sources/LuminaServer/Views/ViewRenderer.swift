import Foundation
import Hummingbird
import Mustache

/// Renders Mustache pages inside the shared layout (`layout_head` / `layout_foot` partials).
///
/// Every page gets the signed-in user, their CSRF token and the navigation flags, so templates never
/// reach for services. Templates are loaded once at start from the bundle's resources.
struct ViewRenderer: Sendable {
    let library: MustacheLibrary

    init(library: MustacheLibrary) {
        self.library = library
    }

    static func load() async throws -> ViewRenderer {
        guard let directory = Bundle.module.resourcePath else {
            throw ViewError.templatesMissing
        }
        return ViewRenderer(library: try await MustacheLibrary(directory: directory))
    }

    /// Renders `template` with `page` under the key `page`, plus the layout's values.
    func render(_ template: String, page: Any, context: LuminaRequestContext, title: String? = nil) -> String {
        let user = context.identity?.user
        let layout: [String: Any] = [
            "page": page,
            "title": title ?? "LuminaBI",
            "signed_in": user != nil,
            "user_name": user?.name ?? "",
            "user_email": user?.email ?? "",
            "is_admin": user?.role == .admin,
            "csrf_token": context.identity?.csrfToken ?? context.anonymousCSRFToken ?? "",
        ]
        return library.render(layout, withTemplate: template) ?? "<h1>Template \(template) is missing</h1>"
    }

    /// A complete HTML response.
    func page(_ template: String, page: Any, context: LuminaRequestContext, title: String,
              status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let html = render(template, page: page, context: context, title: title)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

enum ViewError: Error, CustomStringConvertible {
    case templatesMissing
    var description: String { "the HTML templates were not found in the lumina resource bundle" }
}
