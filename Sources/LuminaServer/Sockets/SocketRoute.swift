import Hummingbird
import NIOConcurrencyHelpers

/// What a socket route decided while checking the upgrade request: the code that serves the socket
/// once it is open, and how large its inbound messages may be.
struct SocketUpgrade: Sendable {
    let maxMessageSize: Int
    let serve: @Sendable (LiveSocket) async -> Void
}

/// Where the socket route leaves its `SocketUpgrade` for the connection that runs the handshake.
final class SocketUpgradeSlot: Sendable {
    private let value = NIOLockedValueBox<SocketUpgrade?>(nil)

    func set(_ upgrade: SocketUpgrade) { value.withLockedValue { $0 = upgrade } }

    func take() -> SocketUpgrade? {
        value.withLockedValue { value in
            defer { value = nil }
            return value
        }
    }
}

extension Router where Context == LuminaRequestContext {
    /// A WebSocket endpoint at `path`.
    ///
    /// The upgrade request runs through the router like any request (middleware, parameters,
    /// `shouldUpgrade` checks that throw HTTP errors); if it passes, the handshake completes and
    /// `onUpgrade` gets the open socket with the request and its context. A plain GET gets 426.
    @discardableResult
    func socket(
        _ path: RouterPath,
        maxMessageSize: Int = 64 * 1024,
        shouldUpgrade: @escaping @Sendable (Request, Context) async throws -> Void = { _, _ in },
        onUpgrade: @escaping @Sendable (LiveSocket, Request, Context) async -> Void
    ) -> Self {
        get(path) { request, context -> Response in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return Response(status: .upgradeRequired, headers: [.upgrade: "websocket", .connection: "Upgrade"])
            }
            try await shouldUpgrade(request, context)
            context.socketUpgrade.set(SocketUpgrade(maxMessageSize: maxMessageSize) { socket in
                await onUpgrade(socket, request, context)
            })
            return Response(status: .ok)
        }
        return self
    }
}
