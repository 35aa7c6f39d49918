import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// One WebSocket client: records the latency of every `load` event it receives.
///
/// The send time and sequence number are read straight from the frame's bytes: decoding JSON for
/// every delivery would make the client, not the server, the bottleneck.
enum LoadClient {
    static let logger: Logger = {
        var logger = Logger(label: "lumina-load")
        logger.logLevel = .critical
        return logger
    }()

    static func run(url: String, eventLoopGroup: MultiThreadedEventLoopGroup, stats: DeliveryStats,
                    onOpen: @escaping @Sendable () async -> Void) async {
        let opened = NIOLockedValueBox(false)
        do {
            try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 20), eventLoopGroup: eventLoopGroup,
                                              logger: logger) { inbound, _, _ in
                for try await frame in inbound {
                    let bytes = Array(frame.data.readableBytesView)
                    if !opened.withLockedValue({ $0 }), contains(bytes, "\"presence\"") {
                        opened.withLockedValue { $0 = true }
                        stats.didConnect()
                        await onOpen()
                        continue
                    }
                    guard let seq = number(after: "\"seq\":", in: bytes), let sent = number(after: "\"ts\":", in: bytes) else { continue }
                    stats.record(seq: seq, latencyNanoseconds: nowNanoseconds() - sent)
                }
            }
        } catch {
            stats.didFail()
        }
        if !opened.withLockedValue({ $0 }) { await onOpen() }
    }

    static func nowNanoseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
    }

    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if Array(bytes[start..<(start + pattern.count)]) == pattern { return true }
        }
        return false
    }

    static func number(after key: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(key.utf8)
        guard bytes.count > pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            guard Array(bytes[start..<(start + pattern.count)]) == pattern else { continue }
            var i = start + pattern.count
            var value = 0
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            return digits > 0 ? value : nil
        }
        return nil
    }
}

/// Limits simultaneous handshakes so connecting measures the server, not a SYN flood.
actor ConnectGate {
    private let limit: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func enter() async {
        if inFlight < limit { inFlight += 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty { inFlight -= 1 } else { waiters.removeFirst().resume() }
    }
}
