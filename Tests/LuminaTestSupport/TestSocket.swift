import Foundation
import HTTPTypes
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOWebSocket

/// A real WebSocket client for tests: received text frames arrive in order through `next()`,
/// `send` writes text frames, and `closeCode()` tells how the server ended the connection.
public final class TestSocket: Sendable {
    private let queue = MessageQueue()
    private let outgoing: AsyncStream<Outgoing>.Continuation

    /// What the test asks the socket to write.
    enum Outgoing: Sendable {
        case text(String)
        case binary([UInt8])
    }
    private let task: Task<WebSocketCloseFrame?, any Error>
    private let finished = Finished()

    public init(url: String, origin: String? = nil, cookie: String? = nil, deflate: Bool = false) {
        let (outgoing, outgoingContinuation) = AsyncStream<Outgoing>.makeStream()
        let queue = self.queue
        let finished = self.finished
        self.outgoing = outgoingContinuation
        var headers = HTTPFields()
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = cookie }
        var logger = Logger(label: "test-socket")
        logger.logLevel = .warning
        task = Task {
            do {
                var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20, additionalHeaders: headers)
                if deflate { configuration.extensions = [WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: 16 << 20).build()] }
                let frame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await item in outgoing {
                            switch item {
                            case .text(let text): try await outbound.write(.text(text))
                            case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                            }
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        if case .text(let text) = message { await queue.push(text) }
                    }
                    group.cancelAll()
                }
                }
                await queue.finish()
                finished.set()
                return frame
            } catch {
                await queue.finish()
                finished.set()
                throw error
            }
        }
    }

    public func send(_ text: String) { outgoing.yield(.text(text)) }

    /// Writes one binary frame (upload chunks).
    public func send(binary bytes: [UInt8]) { outgoing.yield(.binary(bytes)) }

    /// Closes from the client side.
    public func close() { outgoing.finish() }

    /// The next text frame, or nil when the socket ended; fails after `timeout`.
    public func next(timeout: Duration = .seconds(15)) async throws -> String? {
        let queue = self.queue
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { await queue.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw SocketTimeout(after: timeout)
            }
            let value = try await group.next()!
            group.cancelAll()
            return value
        }
    }

    /// The next frame whose `"type"` is `type`, skipping others (presence noise, for example).
    public func next(type: String, timeout: Duration = .seconds(15)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let text = try await next(timeout: deadline - ContinuousClock.now) else { throw SocketClosed(waitingFor: type) }
            if let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], object["type"] as? String == type {
                return object
            }
        }
        throw SocketTimeout(after: timeout)
    }

    /// The close code the server sent (nil when the connection ended without a close frame).
    public func closeCode(timeout: Duration = .seconds(15)) async throws -> Int? {
        let deadline = ContinuousClock.now + timeout
        while !finished.value {
            guard ContinuousClock.now < deadline else { throw SocketTimeout(after: timeout) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await task.value.map { closeCodeNumber($0.closeCode) }
    }

    deinit {
        outgoing.finish()
        task.cancel()
    }
}

/// Whether the connection task has ended, readable without awaiting it.
private final class Finished: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    var value: Bool { lock.withLock { done } }
    func set() { lock.withLock { done = true } }
}

private func closeCodeNumber(_ code: WebSocketErrorCode) -> Int {
    switch code {
    case .normalClosure: 1000
    case .goingAway: 1001
    case .protocolError: 1002
    case .unacceptableData: 1003
    case .dataInconsistentWithMessage: 1007
    case .policyViolation: 1008
    case .messageTooLarge: 1009
    case .missingExtension: 1010
    case .unexpectedServerError: 1011
    case .unknown(let value): Int(value)
    }
}

/// Received frames in order; `next()` waits for the next one or the end of the socket.
private actor MessageQueue {
    private var buffered: [String] = []
    private var finished = false
    private var waiter: CheckedContinuation<String?, Never>?

    func push(_ text: String) {
        if let waiter { self.waiter = nil; waiter.resume(returning: text) } else { buffered.append(text) }
    }

    func finish() {
        finished = true
        if let waiter { self.waiter = nil; waiter.resume(returning: nil) }
    }

    func next() async -> String? {
        if !buffered.isEmpty { return buffered.removeFirst() }
        if finished { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.abandonWait() }
        }
    }

    /// A timed-out `next()` gives up its place, so the waiting task can end.
    private func abandonWait() {
        if let waiter { self.waiter = nil; waiter.resume(returning: nil) }
    }
}

public struct SocketTimeout: Error, CustomStringConvertible {
    let after: Duration
    public var description: String { "no WebSocket message within \(after)" }
}

public struct SocketClosed: Error, CustomStringConvertible {
    let waitingFor: String
    public var description: String { "the socket closed while waiting for a '\(waitingFor)' message" }
}
