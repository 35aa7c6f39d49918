import Foundation
import NIOConcurrencyHelpers

/// What all clients received, shared by their tasks.
final class DeliveryStats: Sendable {
    private struct State {
        var connected = 0
        var failed = 0
        var delivered = 0
        var latencies: [Int32] = []
    }

    let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(broadcasts: Int) { capacity = broadcasts }

    var connected: Int { state.withLockedValue { $0.connected } }
    var delivered: Int { state.withLockedValue { $0.delivered } }

    func didConnect() { state.withLockedValue { $0.connected += 1 } }
    func didFail() { state.withLockedValue { $0.failed += 1 } }

    func record(seq: Int, latencyNanoseconds: Int) {
        let micros = Int32(clamping: latencyNanoseconds / 1000)
        state.withLockedValue { state in
            state.delivered += 1
            state.latencies.append(micros)
        }
    }

    func latencyMilliseconds() -> [Double] {
        state.withLockedValue { $0.latencies }.map { Double($0) / 1000 }.sorted()
    }
}

/// The server's memory and this process's CPU time, read from /proc and getrusage.
enum ProcessMemory {
    static func rss(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return nil
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
