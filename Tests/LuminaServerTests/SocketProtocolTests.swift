import Foundation
import LuminaTestSupport
import NIOConcurrencyHelpers
import NIOPosix
import Testing
@testable import LuminaServer
import Realtime

/// The server's WebSockets at the frame level (RFC 6455): what a client library never sends,
/// and peers that stop answering or reading.
@Suite("WebSocket protocol") struct SocketProtocolTests {
    typealias Opcode = RawWebSocket.Opcode

    static func open(_ client: TestClient, dashboard id: Int, token: String, receiveBuffer: Int32? = nil) async throws -> RawWebSocket {
        let socket = try await RawWebSocket(port: client.client.port!, path: "/ws/dashboard/\(id)/?token=\(token)", receiveBuffer: receiveBuffer)
        #expect(socket.upgraded, "\(socket.responseHead)")
        let presence = try #require(try await socket.nextNonPing())
        #expect(presence.text.contains(#""type":"presence""#))
        return socket
    }

    @Test func pingsAreAnsweredAndFragmentedMessagesArriveWhole() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let watcher = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: token))
            _ = try await watcher.next(type: "presence")
            let raw = try await Self.open(client, dashboard: id, token: token)

            try raw.send(Opcode.ping, Array("are you there".utf8))
            var pong = try #require(try await raw.nextFrame())
            while pong.opcode != Opcode.pong { pong = try #require(try await raw.nextFrame()) }
            #expect(pong.text == "are you there", "a pong echoes the ping's data")

            // One filter change in three frames, with a ping between them (control frames may interleave).
            try raw.send(Opcode.text, Array(#"{"type":"filter_change","#.utf8), fin: false)
            try raw.send(Opcode.ping, [])
            try raw.send(Opcode.continuation, Array(#""filters":{"region":"#.utf8), fin: false)
            try raw.send(Opcode.continuation, Array(#""Süd"}}"#.utf8))
            let change = try await watcher.next(type: "filter_change")
            #expect((change["filters"] as? [String: Any])?["region"] as? String == "Süd")
        }
    }

    @Test func protocolViolationsCloseWithTheirCodes() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)

            let unmasked = try await Self.open(client, dashboard: id, token: token)
            try unmasked.send(Opcode.text, Array(#"{"type":"filter_change"}"#.utf8), masked: false)
            #expect(try await unmasked.closeCode() == 1002, "client frames must be masked")

            let stray = try await Self.open(client, dashboard: id, token: token)
            try stray.send(Opcode.continuation, Array("tail".utf8))
            #expect(try await stray.closeCode() == 1002, "a continuation without a message")

            let latin1 = try await Self.open(client, dashboard: id, token: token)
            try latin1.send(Opcode.text, [0x7B, 0x22, 0xE9, 0x22, 0x7D])  // {"é"} in Latin-1
            #expect(try await latin1.closeCode() == 1007, "text must be UTF-8")

            let reserved = try await Self.open(client, dashboard: id, token: token)
            try reserved.send(Opcode.text, Array("{}".utf8), rsv1: true)
            #expect(try await reserved.closeCode() == 1002, "RSV1 without permessage-deflate")

            let interleaved = try await Self.open(client, dashboard: id, token: token)
            try interleaved.send(Opcode.text, Array("{".utf8), fin: false)
            try interleaved.send(Opcode.text, Array("{}".utf8))
            #expect(try await interleaved.closeCode() == 1002, "a new message inside a fragmented one")
        }
    }

    @Test func aClientCloseIsEchoedAndTheConnectionEnds() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let raw = try await Self.open(client, dashboard: id, token: token)
            try raw.sendClose(4000)
            #expect(try await raw.closeCode() == 4000)
            #expect(try await raw.nextFrame() == nil, "the server closes the TCP connection after the handshake")
        }
    }

    @Test func aClientThatVanishesWithoutACloseFrameLeavesPresence() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let bob = try await client.registerAndLogin("bob@example.com", name: "Bob")
            _ = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"bob@example.com","role":"viewer"}"#, token: token)
            let watcher = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: bob.token))
            _ = try await watcher.next(type: "presence")
            var vanishing: RawWebSocket? = try await Self.open(client, dashboard: id, token: token)
            _ = try await ChannelsTests.nextDiff(watcher, key: "joins", naming: "Ana")
            #expect(vanishing != nil)
            vanishing = nil  // the process is gone: its socket is closed without a close frame
            _ = try await ChannelsTests.nextDiff(watcher, key: "leaves", naming: "Ana")
            #expect(await client.services.hub.connectionCount(in: .dashboard(id)) == 1)
        }
    }

    @Test func socketPathsAnswerPlainRequestsWith426AndRefusedUpgradesWithTheirStatus() async throws {
        try await TestServer.run { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let plain = try await RawWebSocket(port: client.client.port!, path: "/ws/dashboard/\(id)/?token=\(token)", upgrade: false)
            #expect(plain.responseHead.hasPrefix("HTTP/1.1 426"), "\(plain.responseHead)")
            let unknown = try await RawWebSocket(port: client.client.port!, path: "/ws/nothing-here/")
            #expect(unknown.responseHead.hasPrefix("HTTP/1.1 404"), "\(unknown.responseHead)")
            #expect(try await unknown.readUntilClosed())
        }
    }

    @Test func aPeerThatStopsAnsweringPingsIsDisconnectedAndLeavesPresence() async throws {
        // Two silent intervals end the socket: long enough for its set-up (token, dashboard lookup,
        // join) to finish on a busy machine, so the presence list arrives first.
        try await TestServer.run(configure: { $0.socketPingInterval = 3 }) { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let bob = try await client.registerAndLogin("bob@example.com", name: "Bob")
            _ = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"bob@example.com","role":"viewer"}"#, token: token)
            let watcher = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: bob.token))
            _ = try await watcher.next(type: "presence")
            let silent = try await Self.open(client, dashboard: id, token: token)
            _ = try await ChannelsTests.nextDiff(watcher, key: "joins", naming: "Ana")
            var pings = 0
            while let frame = try await silent.nextFrame() {
                if frame.opcode == Opcode.ping { pings += 1 }
            }
            #expect(pings >= 1, "the server pinged before giving up")
            _ = try await ChannelsTests.nextDiff(watcher, key: "leaves", naming: "Ana")
        }
    }

    @Test func aReaderThatStopsReadingIsCutOffWhileOthersKeepReceiving() async throws {
        try await TestServer.run(configure: { $0.socketStallTimeout = 0.5 }) { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let fast = TestSocket(url: ChannelsTests.url(client, "/ws/dashboard/\(id)/", token: token))
            _ = try await fast.next(type: "presence")
            let stalled = try await Self.open(client, dashboard: id, token: token, receiveBuffer: 4096)
            let filler = String(repeating: "x", count: 60_000)
            // Keep broadcasting until the stalled socket has been cut off; the fast one sees every event.
            var sequence = 0
            let deadline = ContinuousClock.now + .seconds(20)
            var stalledEnded = false
            while ContinuousClock.now < deadline, !stalledEnded {
                let pushed = try await client.request(.post, "/api/v1/dashboards/\(id)/events",
                                                      json: #"{"type":"annotation","seq":\#(sequence),"text":"\#(filler)"}"#, token: token)
                #expect(pushed.status == .accepted)
                let event = try await fast.next(type: "annotation", timeout: .seconds(5))
                #expect(event["seq"] as? Int == sequence, "the fast reader gets each event, in order, without waiting for the slow one")
                sequence += 1
                stalledEnded = await client.services.hub.connectionCount(in: .dashboard(id)) == 1
            }
            #expect(stalledEnded, "the socket that stopped reading left its dashboard after \(sequence) events")
            #expect(sequence > 10, "it was not cut off before its buffers filled")
            #expect(try await stalled.readUntilClosed(), "and its connection was closed")
        }
    }

    @Test func aServerTooBusyToWriteDoesNotCutOffItsReaders() async throws {
        // The stall clock is for sockets that stop draining. Here every event loop of the server is
        // busy for a second (a pause of the whole machine) while two events 0.5 s apart wait for a
        // socket that was writable all along: both must arrive, and the socket stay open.
        try await TestServer.run(configure: { $0.socketStallTimeout = 0.2 }) { client in
            let (id, token) = try await ChannelsTests.dashboard(client)
            let reader = try await Self.open(client, dashboard: id, token: token)
            let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
            let busy = NIOLockedValueBox(0)
            for loop in loops {
                loop.execute {
                    busy.withLockedValue { $0 += 1 }
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            while busy.withLockedValue({ $0 }) < loops.count { try await Task.sleep(for: .milliseconds(5)) }
            let hub = client.services.hub
            try await hub.send(OutboundMessage(type: "annotation", fields: ["seq": .integer(1)]), toGroup: .dashboard(id))
            try await Task.sleep(for: .milliseconds(500))
            try await hub.send(OutboundMessage(type: "annotation", fields: ["seq": .integer(2)]), toGroup: .dashboard(id))
            var annotations: [String] = []
            while annotations.count < 2, let frame = try await reader.nextNonPing() {
                if frame.text.contains(#""type":"annotation""#) { annotations.append(frame.text) }
            }
            #expect(annotations == [#"{"type":"annotation","seq":1}"#, #"{"type":"annotation","seq":2}"#])
            #expect(await hub.connectionCount(in: .dashboard(id)) == 1)
        }
    }
}
