import Foundation
import HummingbirdWebSocket
import LuminaTestSupport
import NIOCore
import NIOWebSocket
import Testing
@testable import LuminaServer

@Suite("permessage-deflate with pooled zlib streams") struct PerMessageDeflateTests {
    static func deflater(pool: ZlibStreamPool, offer: [String: WebSocketExtensionHTTPParameters.Parameter] = [:],
                         limit: Int = 1 << 20) throws -> PooledPerMessageDeflate {
        PooledPerMessageDeflate(offer: try #require(PerMessageDeflateOffer(parameters: offer)), pool: pool,
                                maxDecompressedFrameSize: limit, minFrameSizeToCompress: 256)
    }

    static func text(_ string: String, fin: Bool = true, opcode: WebSocketOpcode = .text) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: string))
    }

    @Test func answerAlwaysAsksForNoContextTakeover() throws {
        let plain = try #require(PerMessageDeflateOffer(parameters: [:]))
        #expect(plain.responseHeader == "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        #expect(plain.serverWindowBits == 15)
        // What browsers send.
        let browser = try #require(PerMessageDeflateOffer(parameters: ["client_max_window_bits": .null]))
        #expect(browser == plain)
        let smaller = try #require(PerMessageDeflateOffer(parameters: ["server_max_window_bits": .value("10"), "client_no_context_takeover": .null]))
        #expect(smaller.serverWindowBits == 10)
        #expect(smaller.responseHeader.hasSuffix("; server_max_window_bits=10"))
    }

    @Test func offersItCannotHonourAreDeclined() {
        #expect(PerMessageDeflateOffer(parameters: ["server_max_window_bits": .value("8")]) == nil, "zlib cannot deflate with 256 bytes")
        #expect(PerMessageDeflateOffer(parameters: ["server_max_window_bits": .null]) == nil)
        #expect(PerMessageDeflateOffer(parameters: ["server_max_window_bits": .value("16")]) == nil)
        #expect(PerMessageDeflateOffer(parameters: ["client_max_window_bits": .value("7")]) == nil)
        #expect(PerMessageDeflateOffer(parameters: ["x_unknown": .null]) == nil)
    }

    @Test func messagesRoundTripAndNoStreamStaysWithTheSocket() throws {
        let pool = ZlibStreamPool(maxIdle: 4)
        let server = try Self.deflater(pool: pool)
        let peer = try Self.deflater(pool: pool)
        for round in 0..<3 {
            let message = String(repeating: "{\"type\":\"filter_change\",\"round\":\(round)} ", count: 40)
            let sent = try server.toSend(Self.text(message))
            #expect(sent.rsv1)
            #expect(sent.data.readableBytes < message.utf8.count / 4)
            let received = try peer.received(sent)
            #expect(!received.rsv1)
            #expect(String(buffer: received.data) == message)
            // Between messages neither side holds a stream: both went back to the pool.
            #expect(pool.idleCount == 2)
        }
        let small = try server.toSend(Self.text("{\"type\":\"ping\"}"))
        #expect(!small.rsv1, "short messages are not worth compressing")
        #expect(String(buffer: try peer.received(small).data) == "{\"type\":\"ping\"}")
    }

    @Test func fragmentedMessagesKeepTheirStreamUntilTheLastFrame() throws {
        let pool = ZlibStreamPool(maxIdle: 4)
        let server = try Self.deflater(pool: pool)
        let peer = try Self.deflater(pool: pool)
        let parts = (0..<3).map { String(repeating: "part \($0) of a long upload chunk; ", count: 30) }
        var expanded = ""
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            let frame = Self.text(part, fin: last, opcode: index == 0 ? .text : .continuation)
            let sent = try server.toSend(frame)
            #expect(sent.rsv1 == (index == 0), "only the first frame carries RSV1")
            expanded += String(buffer: try peer.received(sent).data)
            #expect(pool.idleCount == (last ? 2 : 0))
        }
        #expect(expanded == parts.joined())
    }

    @Test func bombsCorruptDataAndMisplacedRSV1AreRefused() throws {
        let pool = ZlibStreamPool(maxIdle: 4)
        let sender = try Self.deflater(pool: pool)
        let bomb = try sender.toSend(Self.text(String(repeating: "0", count: 100_000)))
        let small = try Self.deflater(pool: pool, limit: 10_000)
        #expect(throws: PerMessageDeflateError.tooLarge(limit: 10_000)) { try small.received(bomb) }

        var corrupt = Self.text("not deflate data at all, just text")
        corrupt.rsv1 = true
        #expect(throws: PerMessageDeflateError.corruptData) { try small.received(corrupt) }

        let plain = try Self.deflater(pool: pool)
        _ = try plain.received(Self.text("first part", fin: false))
        var continuation = Self.text("second part", opcode: .continuation)
        continuation.rsv1 = true
        #expect(throws: PerMessageDeflateError.compressedContinuation) { try plain.received(continuation) }
        // Failed messages gave their streams back too.
        #expect(pool.idleCount == 2)
    }

    @Test func poolFreesStreamsBeyondItsBound() throws {
        let pool = ZlibStreamPool(maxIdle: 1)
        let first = try pool.borrow(.inflate)
        let second = try pool.borrow(.inflate)
        pool.giveBack(first)
        pool.giveBack(second)
        #expect(pool.idleCount == 1)
    }

    @Test func compressedClientsTalkToEachOtherThroughTheServer() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let sender = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: token), deflate: true)
            let watcher = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: token), deflate: true)
            _ = try await sender.next(type: "presence")
            _ = try await watcher.next(type: "presence")
            // Long enough for both sides to compress, several times over the same sockets: each
            // message must expand on its own (no context carried from the previous one).
            for round in 0..<3 {
                let region = String(repeating: "north-east ", count: 60) + "\(round)"
                sender.send(#"{"type":"filter_change","filters":{"region":"\#(region)"}}"#)
                let change = try await watcher.next(type: "filter_change")
                #expect((change["filters"] as? [String: Any])?["region"] as? String == region)
            }
        }
    }

    @Test func compressedBombClosesTheSocketWith1009() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let socket = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: token), deflate: true)
            _ = try await socket.next(type: "presence")
            // 2 MiB of one letter compresses to a few KiB, and expands past the 1 MiB frame limit.
            socket.send(#"{"type":"filter_change","filters":{"x":""# + String(repeating: "y", count: 2 << 20) + #""}}"#)
            #expect(try await socket.closeCode() == 1009)
        }
    }
}
