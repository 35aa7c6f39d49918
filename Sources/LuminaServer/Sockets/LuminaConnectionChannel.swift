import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// One server connection: HTTP/1.1 requests, or a WebSocket when the first request asks for one.
///
/// The WebSocket side is event-driven (`LiveSocketHandler`): once a socket is open and its route
/// has served it, the connection's task ends and the socket costs no task at all. Which paths are
/// sockets, and who may open them, is decided by routing the upgrade request through the router
/// (`Router.socket`), with the same middleware as any request.
struct LuminaConnectionChannel: ServerChildChannel, HTTPChannelHandler {
    enum Negotiated: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The client asked for a WebSocket the route refused: answer with the route's response.
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, Response?)
        case socket(LiveSocket, SocketUpgrade)
    }

    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let socketResponder: RouterResponder<LuminaRequestContext>
    let configuration: LiveSocketConfiguration

    init(responder: @escaping HTTPChannelHandler.Responder, socketResponder: RouterResponder<LuminaRequestContext>,
         configuration: LiveSocketConfiguration) {
        self.responder = Self.redirectingLateUpgrades(responder)
        self.socketResponder = socketResponder
        self.configuration = configuration
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Per connection: what the upgrade check decided, read by the pipeline step that follows it.
            let accepted = NIOLockedValueBox<(SocketUpgrade, PooledPerMessageDeflate?)?>(nil)
            let refusal = NIOLockedValueBox<Response?>(nil)
            let attempted = NIOLockedValueBox(false)
            let upgrader = NIOTypedWebSocketServerUpgrader<Negotiated>(
                maxFrameSize: configuration.maxFrameSize,
                enableAutomaticErrorHandling: true,
                shouldUpgrade: { channel, head in
                    attempted.withLockedValue { $0 = true }
                    let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
                    promise.completeWithTask {
                        let (response, upgrade, deflate) = await checkUpgrade(head, channel: channel, logger: logger)
                        guard let upgrade, let response else {
                            refusal.withLockedValue { $0 = response }
                            return nil
                        }
                        accepted.withLockedValue { $0 = (upgrade, deflate) }
                        return HTTPHeaders(response.headers)
                    }
                    return promise.futureResult
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let (upgrade, deflate) = accepted.withLockedValue({ $0 }) else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        let pipeline = channel.pipeline.syncOperations
                        let outlet = EncodedFrameOutlet()
                        try pipeline.addHandler(outlet, position: .before(try pipeline.handler(type: WebSocketFrameEncoder.self)))
                        let handler = LiveSocketHandler(configuration: configuration, maxMessageSize: upgrade.maxMessageSize,
                                                        deflate: deflate, outlet: outlet, logger: logger)
                        try pipeline.addHandler(handler)
                        let socket = LiveSocket(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                        return .socket(socket, upgrade)
                    }
                }
            )
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration<Negotiated>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if attempted.withLockedValue({ $0 }) {
                            return .refusedUpgrade(http, refusal.withLockedValue { $0 })
                        }
                        return .http(http)
                    }
                }
            )
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<Negotiated>(upgradeConfiguration: upgrades)
            pipeline.enablePipelining = false  // requests are read one at a time by the async channel
            pipeline.enableErrorHandling = false  // Hummingbird answers malformed requests itself
            pipeline.enableResponseHeaderValidation = false  // HTTPTypes validated the fields already
            let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            return Value(negotiated: negotiated, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .refusedUpgrade(let http, let response):
                await writeRefusal(response, to: http, logger: logger)
            case .socket(let socket, let upgrade):
                // Authorise and join groups, then return: the socket runs on its event loop from here.
                await upgrade.serve(socket)
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("connection closed before its first request")
        } catch {
            logger.debug("connection set-up failed", metadata: ["error": "\(error)"])
        }
    }

    /// Routes the upgrade request; a route that accepts leaves a `SocketUpgrade` in the context.
    private func checkUpgrade(_ head: HTTPRequestHead, channel: any Channel, logger: Logger) async
        -> (Response?, SocketUpgrade?, PooledPerMessageDeflate?)
    {
        guard let httpRequest = try? HTTPRequest(head, secure: false, splitCookie: false) else {
            return (Response(status: .badRequest), nil, nil)
        }
        let request = Request(head: httpRequest, body: .init(buffer: ByteBuffer()))
        let context = LuminaRequestContext(source: .init(channel: channel, logger: logger))
        let response: Response
        do {
            response = try await socketResponder.respond(to: request, context: context)
        } catch {
            logger.error("socket upgrade check failed", metadata: ["error": "\(error)"])
            return (Response(status: .internalServerError), nil, nil)
        }
        guard response.status == .ok, let upgrade = context.socketUpgrade.take() else { return (response, nil, nil) }
        var headers = HTTPFields()
        var deflate: PooledPerMessageDeflate?
        if configuration.compression {
            let offers = WebSocketExtensionHTTPParameters.parseHeaders(httpRequest.headerFields)
            for offer in offers where offer.name == PooledPerMessageDeflate.name {
                guard let accepted = PerMessageDeflateOffer(parameters: offer.parameters) else { continue }
                headers[.secWebSocketExtensions] = accepted.responseHeader
                deflate = PooledPerMessageDeflate(offer: accepted, pool: .shared, maxDecompressedFrameSize: upgrade.maxMessageSize,
                                                  minFrameSizeToCompress: configuration.minMessageSizeToCompress)
                break
            }
        }
        return (Response(status: .ok, headers: headers), upgrade, deflate)
    }

    /// Answers a refused upgrade with the route's own response (403 for a foreign origin, 404, …) and closes.
    private func writeRefusal(_ response: Response?, to http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger) async {
        var response = response ?? Response(status: .badRequest)
        var body = CollectedBody()
        do {
            try await response.body.write(body.writer)
        } catch {
            logger.debug("refusal body could not be produced", metadata: ["error": "\(error)"])
        }
        let bytes = body.storage.buffer
        response.headers[.connection] = "close"
        response.headers[.contentLength] = "\(bytes.readableBytes)"
        let head = HTTPResponse(status: response.status, headerFields: response.headers)
        do {
            try await http.executeThenClose { _, outbound in
                try await outbound.write(contentsOf: [.head(head), .body(bytes), .end(nil)])
            }
        } catch {
            logger.trace("refusal could not be written", metadata: ["error": "\(error)"])
        }
    }

    /// NIO only upgrades a connection's first request; a later request asking for a WebSocket is
    /// redirected to the same URL with `Connection: close`, so the client retries on a new connection.
    private static func redirectingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                return try await responder(request, writer, channel)
            }
            var location = request.uri.path
            if let query = request.uri.query { location += "?\(query)" }
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [
                .connection: "close", .location: location, .contentLength: "0",
            ]))
            throw LateUpgradeRedirected()
        }
    }

    private struct LateUpgradeRedirected: Error {}
}

/// Collects a response body into one buffer (refusals are small: an error message).
private struct CollectedBody {
    final class Storage: @unchecked Sendable {
        var buffer = ByteBuffer()
    }

    struct Writer: ResponseBodyWriter {
        let storage: Storage
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            storage.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    let storage = Storage()
    var writer: Writer { Writer(storage: storage) }
}
