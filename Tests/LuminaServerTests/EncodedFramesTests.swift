import Foundation
import NIOCore
import NIOWebSocket
import Realtime
import Testing
@testable import LuminaServer

/// A broadcast is framed once per pass and the sockets share the bytes; what they receive must be
/// exactly what a WebSocket decoder reads as the message.
@Suite("frames encoded once per pass") struct EncodedFramesTests {
    struct Malformed: Error {}

    /// Reads one server frame: header, length, payload.
    static func decode(_ frame: ByteBuffer) throws -> (opcode: UInt8, fin: Bool, rsv1: Bool, payload: ByteBuffer) {
        var frame = frame
        guard let first = frame.readInteger(as: UInt8.self), let second = frame.readInteger(as: UInt8.self) else { throw Malformed() }
        #expect(second & 0x80 == 0, "server frames are not masked")
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let long = frame.readInteger(as: UInt16.self) else { throw Malformed() }
            length = Int(long)
        } else if length == 127 {
            guard let long = frame.readInteger(as: UInt64.self) else { throw Malformed() }
            length = Int(long)
        }
        #expect(frame.readableBytes == length, "the frame is exactly header + payload")
        guard let payload = frame.readSlice(length: length) else { throw Malformed() }
        return (first & 0x0F, first & 0x80 != 0, first & 0x40 != 0, payload)
    }

    @Test(arguments: [0, 125, 126, 65_535, 65_536, 200_000])
    func lengthsUseTheShortestForm(size: Int) throws {
        let payload = ByteBuffer(repeating: UInt8(ascii: "a"), count: size)
        let frame = EncodedFrames.encode(payload, compressed: false)
        let headerSize = size < 126 ? 2 : size <= 65_535 ? 4 : 10
        #expect(frame.readableBytes == headerSize + size)
        let decoded = try Self.decode(frame)
        #expect(decoded.opcode == 0x1 && decoded.fin && !decoded.rsv1)
        #expect(decoded.payload == payload)
    }

    @Test func aMessageIsCompressedOncePerWindowAndSharedBySockets() throws {
        let pool = ZlibStreamPool(maxIdle: 4)
        let first = try PerMessageDeflateTests.deflater(pool: pool)
        let second = try PerMessageDeflateTests.deflater(pool: pool)
        let narrow = try PerMessageDeflateTests.deflater(pool: pool, offer: ["server_max_window_bits": .value("10")])
        let peer = try PerMessageDeflateTests.deflater(pool: pool)
        let text = String(repeating: #"{"type":"annotation","text":"revenue up"} "#, count: 50)
        let message = OutboundMessage(bytes: Array(text.utf8))
        var frames = EncodedFrames()
        let a = try frames.frame(for: message, deflate: first)
        let b = try frames.frame(for: message, deflate: second)
        #expect(a.withUnsafeReadableBytes { $0.baseAddress } == b.withUnsafeReadableBytes { $0.baseAddress }, "one buffer for both sockets")
        let c = try frames.frame(for: message, deflate: narrow)
        #expect(a.withUnsafeReadableBytes { $0.baseAddress } != c.withUnsafeReadableBytes { $0.baseAddress }, "another window, another encoding")
        let plain = try frames.frame(for: message, deflate: nil)
        #expect(try Self.decode(plain).payload == message.buffer)
        for frame in [a, c] {
            let decoded = try Self.decode(frame)
            #expect(decoded.rsv1 && decoded.fin && decoded.opcode == 0x1)
            #expect(decoded.payload.readableBytes < text.utf8.count / 4)
            let received = try peer.received(WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: decoded.payload))
            #expect(String(buffer: received.data) == text)
        }
    }

    /// Messages come and go during a pass (the hub allocates new ones on other threads while a loop
    /// drains): a message freed mid-pass must not hand its frame to a new one at the same address.
    /// A load run once delivered 229 events to the wrong dashboards that way.
    @Test func aNewMessageNeverGetsTheFrameOfAFreedOne() throws {
        var frames = EncodedFrames()
        for n in 0..<5_000 {
            let text = #"{"type":"load","seq":\#(n)}"#
            let frame = try frames.frame(for: OutboundMessage(bytes: Array(text.utf8)), deflate: nil)
            #expect(String(buffer: try Self.decode(frame).payload) == text)
        }
    }
}
