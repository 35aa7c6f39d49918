import DequeModule
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Realtime

/// The server side of one WebSocket, driven by NIO events on the socket's event loop.
///
/// Why not a task per socket: at 10,000 sockets the suspended tasks of a task-per-socket design
/// (connection, handler, reader, ping timer) were most of the memory an idle socket cost, and each
/// delivery paid a task, an actor hop and an async write. Here an idle socket is this handler and
/// its timer; a broadcast reaches it as one `drain(frames:)` call inside its event loop's pass
/// (`OutboxFlusher`), which writes the frame encoded once for the pass straight into the channel. A task exists only while an inbound message is being handled.
///
/// Protocol duties (RFC 6455): answers pings, sends pings to find dead peers, completes the close
/// handshake (and closes the TCP connection if the peer never answers), assembles fragmented
/// messages under a size limit (1009), validates UTF-8 text (1007), refuses unmasked or misplaced
/// frames (1002), and closes with 1001 when the server quiesces.
final class LiveSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What the session code attached with `LiveSocket.serve`.
    struct Session {
        let connection: ChannelConnection
        let onMessage: @Sendable (WebSocketMessage) async -> Void
        let onEnd: @Sendable () async -> Void
    }

    /// A message being assembled from frames.
    private struct Assembly {
        let opcode: WebSocketOpcode
        var data: ByteBuffer
    }

    private let configuration: LiveSocketConfiguration
    private let maxMessageSize: Int
    private let deflate: PooledPerMessageDeflate?
    private let outlet: EncodedFrameOutlet
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var flusher: OutboxFlusher?
    private var session: Session?
    private var assembly: Assembly?
    /// Complete inbound messages not yet handed to the session (bounded: reading pauses when full).
    private var inbox = Deque<WebSocketMessage>()
    private var handlingMessage = false
    /// A read the channel asked for while the inbox was full; issued once there is room.
    private var readHeldBack = false
    private var closeSent = false
    private var closeReceived = false
    private var ended = false
    /// Set when a ping went out; any frame from the peer clears it. Still set at the next ping: dead.
    private var awaitingPeer = false
    private var pingTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?

    /// Inbound messages held while the session handles one (then the socket stops reading).
    static let inboxLimit = 2

    /// - Parameter outlet: the handler before the frame encoder, for frames encoded once per pass.
    init(configuration: LiveSocketConfiguration, maxMessageSize: Int, deflate: PooledPerMessageDeflate?,
         outlet: EncodedFrameOutlet, logger: Logger) {
        self.configuration = configuration
        self.maxMessageSize = maxMessageSize
        self.deflate = deflate
        self.outlet = outlet
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flusher = OutboxFlusher.forLoop(context.eventLoop)
        schedulePing(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        end()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("websocket error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            sendClose(code: ChannelCloseCode.goingAway, reason: "server is shutting down")
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The server allows half-closed connections for HTTP; a WebSocket peer that stopped
            // sending without a close frame is gone (a killed tab or process).
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session?.connection.transport(writable: context.channel.isWritable)
        if context.channel.isWritable {
            var frames = EncodedFrames()
            drain(frames: &frames)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Attaches the session once the route has authorised the socket; messages that arrived meanwhile are handed over now.
    func attach(_ session: Session, bound: NIOLoopBound<LiveSocketHandler>) {
        guard !ended, let context else {
            Task { await session.onEnd() }
            return
        }
        self.session = session
        let eventLoop = bound.eventLoop
        let connectionID = session.connection.id
        let logger = self.logger
        session.connection.onCloseRequest { code, reason in
            if code == ChannelCloseCode.tryAgainLater {
                // The hub logged and counted it. A peer that stopped reading cannot take a close
                // frame either: the connection is cut if its channel is full.
                eventLoop.execute { bound.value.closeIfStuck() }
            } else {
                logger.debug("closing websocket", metadata: ["connection": "\(connectionID)", "code": "\(code)", "reason": "\(reason)"])
            }
        }
        session.connection.transport(writable: context.channel.isWritable)
        if let flusher {
            flusher.register(self, for: session.connection)
            session.connection.drain(with: flusher)
        }
        handleNextMessage()
    }

    /// Session code asks to close (refusals before a session exists, too).
    func requestClose(code: UInt16, reason: String) {
        sendClose(code: code, reason: reason)
    }

    private func end() {
        guard !ended else { return }
        ended = true
        inbox.removeAll()
        // `onEnd` disconnects the hub connection, which drops the connection's handlers that
        // reference this handler; the handler lets go of the session now.
        if let session {
            flusher?.unregister(session.connection)
            Task { await session.onEnd() }
        }
        session = nil
    }

    private func cancelTimers() {
        pingTimer?.cancel()
        pingTimer = nil
        closeTimer?.cancel()
        closeTimer = nil
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        awaitingPeer = false
        guard !closeReceived else { return }
        guard frame.maskKey != nil else {
            return fail(code: 1002, reason: "frames from a client must be masked")
        }
        guard !frame.rsv2, !frame.rsv3, !frame.rsv1 || deflate != nil else {
            return fail(code: 1002, reason: "reserved bits set without a negotiated extension")
        }
        switch frame.opcode {
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            receivedClose(frame)
        case .text, .binary:
            guard assembly == nil else { return fail(code: 1002, reason: "a new message began before the previous one ended") }
            receive(frame, opcode: frame.opcode)
        case .continuation:
            guard let opcode = assembly?.opcode else { return fail(code: 1002, reason: "a continuation frame without a message") }
            receive(frame, opcode: opcode)
        default:
            fail(code: 1002, reason: "unknown opcode")
        }
    }

    /// Holds reads back while the inbox is full, so a busy session applies backpressure to the
    /// peer (TCP flow control) instead of buffering its messages without bound.
    func read(context: ChannelHandlerContext) {
        if inbox.count >= Self.inboxLimit {
            readHeldBack = true
        } else {
            context.read()
        }
    }

    private func receive(_ frame: WebSocketFrame, opcode: WebSocketOpcode) {
        guard !closeSent else { return }
        var frame = frame
        frame.data = frame.unmaskedData
        frame.maskKey = nil
        if let deflate {
            do {
                frame = try deflate.received(frame)
            } catch .tooLarge {
                return fail(code: 1009, reason: "messages are limited to \(maxMessageSize) bytes")
            } catch .compressedContinuation {
                return fail(code: 1002, reason: "RSV1 set on a continuation frame")
            } catch {
                return fail(code: 1007, reason: "\(error)")
            }
        }
        var data = assembly?.data ?? ByteBuffer()
        guard data.readableBytes + frame.data.readableBytes <= maxMessageSize else {
            logger.notice("websocket message too large", metadata: ["limit": "\(maxMessageSize)"])
            return fail(code: 1009, reason: "messages are limited to \(maxMessageSize) bytes")
        }
        if assembly == nil, frame.fin {
            data = frame.data  // the common case, one frame: no copy
        } else {
            data.writeImmutableBuffer(frame.data)
        }
        guard frame.fin else {
            assembly = Assembly(opcode: opcode, data: data)
            return
        }
        assembly = nil
        switch opcode {
        case .text:
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                return fail(code: 1007, reason: "text messages must be UTF-8")
            }
            inbox.append(.text(text))
        default:
            inbox.append(.binary(data))
        }
        handleNextMessage()
    }

    /// Hands the next message to the session, one at a time, in order.
    private func handleNextMessage() {
        guard let session, !handlingMessage, !ended, let message = inbox.popFirst(), let context else { return }
        handlingMessage = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        Task {
            await session.onMessage(message)
            bound.eventLoop.execute {
                let handler = bound.value
                handler.handlingMessage = false
                handler.handleNextMessage()
                handler.readMoreIfRoom()
            }
        }
    }

    private func readMoreIfRoom() {
        guard let context, readHeldBack, inbox.count < Self.inboxLimit else { return }
        readHeldBack = false
        context.read()
    }

    private func receivedClose(_ frame: WebSocketFrame) {
        closeReceived = true
        inbox.removeAll()
        if closeSent {
            context?.close(promise: nil)
            return
        }
        // Echo the peer's code (RFC 6455 §5.5.1); a malformed one is a protocol error.
        var data = frame.unmaskedData
        var code: UInt16 = ChannelCloseCode.normal
        if data.readableBytes >= 2, let received = data.readInteger(as: UInt16.self) {
            code = Self.isValidPeerCloseCode(received) ? received : 1002
        } else if data.readableBytes == 1 {
            code = 1002
        }
        sendClose(code: code, reason: "", thenClose: true)
    }

    static func isValidPeerCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 1012...1014, 3000...4999: true
        default: false
        }
    }

    // MARK: Writing

    /// Writes what the outbox holds while the channel takes it; called in the flusher's pass and
    /// when the channel becomes writable again. `frames` holds the pass's encoded messages, so a
    /// broadcast is framed and compressed once per event loop and its bytes shared by the sockets.
    func drain(frames: inout EncodedFrames) {
        guard let context, let connection = session?.connection else { return }
        var wrote = false
        while context.channel.isWritable, !closeSent, let event = connection.poll() {
            switch event {
            case .message(let message):
                do {
                    guard outlet.write(try frames.frame(for: message, deflate: deflate)) else { return }
                } catch {
                    logger.error("compressing a websocket message failed", metadata: ["error": "\(error)"])
                    return fail(code: 1011, reason: "compression failed")
                }
                wrote = true
                connection.didWrite(message)
            case .close(let code, let reason):
                if wrote { context.flush() }
                sendClose(code: code, reason: reason)
                return
            }
        }
        if wrote { context.flush() }
        if !context.channel.isWritable { connection.transport(writable: false) }
    }

    /// A slow client's outbox decided to close: if the channel is still writable the close frame goes
    /// out in order; if the peer stopped reading it never would, so the connection is cut.
    private func closeIfStuck() {
        guard let context else { return }
        if context.channel.isWritable {
            var frames = EncodedFrames()
            drain(frames: &frames)
        } else {
            context.close(promise: nil)
        }
    }

    private func fail(code: UInt16, reason: String) {
        logger.debug("websocket protocol error", metadata: ["code": "\(code)", "reason": "\(reason)"])
        inbox.removeAll()
        assembly = nil
        sendClose(code: code, reason: reason)
        readMoreIfRoom()  // the peer's answering close frame must still be read
    }

    /// Starts (or, with `thenClose`, completes) the close handshake.
    private func sendClose(code: UInt16, reason: String, thenClose: Bool = false) {
        guard let context, !closeSent else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + min(reason.utf8.count, 123))
        data.writeInteger(code)
        data.writeBytes(reason.utf8.prefix(123))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        if thenClose || closeReceived {
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        // The peer should answer with its own close; one that never does is disconnected.
        closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.closeTimeout) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }

    private func schedulePing(context: ChannelHandlerContext) {
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.pingInterval) { [weak self] in
            self?.ping()
        }
    }

    private func ping() {
        guard let context, !closeSent else { return }
        if awaitingPeer {
            logger.debug("websocket peer stopped answering pings")
            context.close(promise: nil)
            return
        }
        awaitingPeer = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
        schedulePing(context: context)
    }
}
