import Foundation
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What one WebSocket client saw. Only its own socket task writes it, so its lock is uncontended;
/// the coordinator reads it while draining and at the end.
final class ClientRecord: @unchecked Sendable {
    let group: Int
    private let lock = NIOLock()
    private var opened = false
    private var closed = false
    private var delivered = 0
    private var duplicates = 0
    private var foreign = 0
    /// Which sequence numbers arrived, one bit each.
    private var seen: [UInt64]
    /// Delivery latencies in microseconds.
    private var latencies: [Int32] = []

    init(group: Int, capacity: Int) {
        self.group = group
        seen = Array(repeating: 0, count: capacity / 64 + 1)
    }

    var isOpen: Bool { lock.withLock { opened } }
    var deliveredCount: Int { lock.withLock { delivered } }

    func didOpen() { lock.withLock { opened = true } }
    func didClose() { lock.withLock { closed = true } }

    /// Records one event; `groups` lets it check that the event belongs to its dashboard.
    func record(seq: Int, latencyNanoseconds: Int, groups: Int) {
        lock.withLock {
            guard seq >= 0, seq / 64 < seen.count, seq % groups == group else { foreign += 1; return }
            let bit: UInt64 = 1 << UInt64(seq % 64)
            if seen[seq / 64] & bit != 0 { duplicates += 1; return }
            seen[seq / 64] |= bit
            delivered += 1
            latencies.append(Int32(clamping: latencyNanoseconds / 1000))
        }
    }

    func snapshot() -> (opened: Bool, closed: Bool, delivered: Int, duplicates: Int, foreign: Int, latencies: [Int32]) {
        lock.withLock { (opened, closed, delivered, duplicates, foreign, latencies) }
    }
}

/// One WebSocket client on a dashboard.
///
/// The send time and sequence number are read straight from the frame's bytes: decoding JSON for
/// every delivery would make the client, not the server, the bottleneck.
enum LoadClient {
    static let logger: Logger = {
        var logger = Logger(label: "lumina-load")
        logger.logLevel = .critical
        return logger
    }()

    /// Connects and reads until the socket closes or the task is cancelled. `opened` runs once: when
    /// the presence list arrived, or when the connection failed.
    static func run(url: String, deflate: Bool, eventLoopGroup: any EventLoopGroup, record: ClientRecord, groups: Int,
                    opened: @escaping @Sendable () async -> Void) async {
        let signalled = NIOLockedValueBox(false)
        // With `deflate` the handshake offers permessage-deflate like a browser does (the server
        // then keeps compression state for this socket, which is what the memory figures are about).
        let extensions: [WebSocketExtensionFactory] = deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 1 << 16)] : []
        do {
            try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 16, extensions: extensions),
                                              eventLoopGroup: eventLoopGroup, logger: logger) { inbound, _, _ in
                var isOpen = false
                for try await frame in inbound where frame.opcode == .text {
                    let receivedAt = Clock.wallNanoseconds()
                    if !isOpen {
                        if frame.data.withUnsafeReadableBytes({ Scan.contains($0, Scan.presence) }) {
                            isOpen = true
                            record.didOpen()
                            signalled.withLockedValue { $0 = true }
                            await opened()
                        }
                        continue
                    }
                    let fields = frame.data.withUnsafeReadableBytes { bytes in
                        (Scan.integer(after: Scan.seqKey, in: bytes), Scan.integer(after: Scan.tsKey, in: bytes))
                    }
                    guard let seq = fields.0, let sent = fields.1 else { continue }
                    record.record(seq: seq, latencyNanoseconds: receivedAt - sent, groups: groups)
                }
            }
        } catch {}
        record.didClose()
        if !signalled.withLockedValue({ $0 }) { await opened() }
    }
}

/// Byte scanning without allocation.
enum Scan {
    static let presence = Array("\"presence\"".utf8)
    static let seqKey = Array("\"seq\":".utf8)
    static let tsKey = Array("\"ts\":".utf8)

    static func index(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        let n = needle.count
        guard n > 0, bytes.count >= n else { return nil }
        var start = 0
        while start <= bytes.count - n {
            if bytes[start] == needle[0] {
                var k = 1
                while k < n, bytes[start + k] == needle[k] { k += 1 }
                if k == n { return start }
            }
            start += 1
        }
        return nil
    }

    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        index(of: needle, in: bytes) != nil
    }

    /// The whole number after `key`, written as a JSON number or a string of digits.
    static func integer(after key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let at = index(of: key, in: bytes) else { return nil }
        var i = at + key.count
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x22 { i += 1 }
        var value = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            value = value &* 10 &+ Int(bytes[i] - 0x30)
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }
}

/// Limits simultaneous handshakes (and optionally their start rate) so connecting measures the
/// server, not a SYN flood.
actor ConnectGate {
    private let limit: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var head = 0

    init(limit: Int) { self.limit = max(1, limit) }

    func enter() async {
        if inFlight < limit { inFlight += 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if head < waiters.count {
            waiters[head].resume()
            head += 1
            if head == waiters.count { waiters.removeAll(keepingCapacity: true); head = 0 }
        } else {
            inFlight -= 1
        }
    }
}

enum Clock {
    static func wallNanoseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
    }
}
