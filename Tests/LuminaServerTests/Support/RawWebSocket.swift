import Foundation
import LuminaTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client that writes frames byte by byte, for tests of what a well-behaved library
/// never sends (unmasked frames, stray continuations, invalid UTF-8) and of peers that stop
/// reading or answering. Blocking socket calls run on GCD threads, never on the test's executor.
final class RawWebSocket: @unchecked Sendable {
    struct Frame: Equatable {
        let fin: Bool
        let opcode: UInt8
        let payload: [UInt8]

        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The code of a close frame.
        var closeCode: UInt16? {
            guard opcode == Opcode.close, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    enum Opcode {
        static let continuation: UInt8 = 0x0
        static let text: UInt8 = 0x1
        static let binary: UInt8 = 0x2
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var pending: [UInt8] = []
    /// The HTTP response head of the handshake.
    private(set) var responseHead = ""

    /// Connects to `path` on loopback and sends the upgrade request (`upgrade: false` sends a plain GET).
    /// - Parameter receiveBuffer: a small kernel receive buffer makes a peer that stops reading fill up quickly.
    init(port: Int, path: String, upgrade: Bool = true, receiveBuffer: Int32? = nil) async throws {
        fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if upgrade {
            request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        }
        request += "\r\n"
        try write(Array(request.utf8))
        while true {
            if let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                responseHead = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                break
            }
            guard try await fill() else { throw Failure(description: "the server closed during the handshake: \(pending)") }
        }
    }

    deinit { close(fd) }

    /// Whether the server switched protocols.
    var upgraded: Bool { responseHead.hasPrefix("HTTP/1.1 101") }

    /// Sends one frame; client frames are masked unless a test says otherwise.
    func send(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv1: Bool = false) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126:
            frame.append(maskBit | UInt8(payload.count))
        case ..<65_536:
            frame.append(maskBit | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(maskBit | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        if masked {
            let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
            frame += mask
            frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        } else {
            frame += payload
        }
        try write(frame)
    }

    /// Sends a close frame with `code`.
    func sendClose(_ code: UInt16) throws {
        try send(Opcode.close, [UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    /// The next frame from the server; nil once the connection has ended.
    func nextFrame() async throws -> Frame? {
        while true {
            if let frame = takeFrame() { return frame }
            guard try await fill() else { return nil }
        }
    }

    /// The next frame that is not a ping (pings are not answered: this client stays a silent peer).
    func nextNonPing() async throws -> Frame? {
        while let frame = try await nextFrame() {
            if frame.opcode != Opcode.ping { return frame }
        }
        return nil
    }

    /// Reads until the server's close frame and returns its code; nil when the connection ended without one.
    func closeCode() async throws -> UInt16? {
        while let frame = try await nextFrame() {
            if frame.opcode == Opcode.close { return frame.closeCode }
        }
        return nil
    }

    /// Whether the server has ended the connection, reading (and discarding) what is left.
    func readUntilClosed() async throws -> Bool {
        while try await fill() { pending.removeAll(keepingCapacity: true) }
        return true
    }

    private func takeFrame() -> Frame? {
        guard pending.count >= 2 else { return nil }
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard pending.count >= offset + length else { return nil }
        let frame = Frame(fin: pending[0] & 0x80 != 0, opcode: pending[0] & 0x0F, payload: Array(pending[offset..<(offset + length)]))
        pending.removeSubrange(..<(offset + length))
        return frame
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed (errno \(errno))") }
            sent += count
        }
    }

    /// Reads more bytes into `pending` on a GCD thread; false at end of stream (or a reset).
    private func fill() async throws -> Bool {
        let fd = self.fd
        let result: ([UInt8], Int32) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: (count > 0 ? Array(buffer[..<count]) : [], count < 0 ? errno : 0))
            }
        }
        if result.1 == ECONNRESET { return false }
        if result.1 != 0 { throw Failure(description: "no data within 15 s (errno \(result.1))") }
        if result.0.isEmpty { return false }
        pending += result.0
        return true
    }
}
