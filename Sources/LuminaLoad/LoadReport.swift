import Foundation

/// The figures of one load run.
struct LoadReport: Encodable {
    let clients: Int
    let groups: Int
    let connected: Int
    let connectSeconds: Double
    let broadcasts: Int
    let rate: Double
    let expected: Int
    let delivered: Int
    let sendSeconds: Double
    let latencies: [Double]
    let serverRSSBefore: Int?
    let serverRSSIdle: Int?
    let serverRSSAfter: Int?
    let clientCPUSeconds: Double

    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return .nan }
        return latencies[min(latencies.count - 1, Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1 < 0 ? 0 : Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1)]
    }

    var lost: Int { expected - delivered }
    var deliveredPerSecond: Double { Double(delivered) / max(sendSeconds, 0.001) }
    var connectionsPerSecond: Double { Double(connected) / max(connectSeconds, 0.001) }
    var idleBytesPerConnection: Int? {
        guard let before = serverRSSBefore, let idle = serverRSSIdle, connected > 0 else { return nil }
        return (idle - before) / connected
    }

    var text: String {
        func mib(_ bytes: Int?) -> String { bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "-" }
        return """
        clients \(connected)/\(clients) over \(groups) group(s), connected in \(String(format: "%.2f", connectSeconds)) s (\(Int(connectionsPerSecond))/s)
        broadcasts \(broadcasts) at \(rate)/s → expected \(expected), delivered \(delivered), lost \(lost) (\(Int(deliveredPerSecond)) deliveries/s)
        latency ms p50 \(String(format: "%.1f", percentile(50))) p90 \(String(format: "%.1f", percentile(90))) p99 \(String(format: "%.1f", percentile(99))) max \(String(format: "%.1f", latencies.last ?? .nan))
        server RSS before \(mib(serverRSSBefore)), idle \(mib(serverRSSIdle)), after \(mib(serverRSSAfter)); idle per connection \(idleBytesPerConnection.map { "\($0 / 1024) KiB" } ?? "-")
        client CPU \(String(format: "%.1f", clientCPUSeconds)) s

        """
    }

    var json: String {
        let object: [String: Any] = [
            "clients": clients, "groups": groups, "connected": connected, "connect_seconds": connectSeconds,
            "broadcasts": broadcasts, "rate": rate, "expected": expected, "delivered": delivered, "lost": lost,
            "deliveries_per_second": deliveredPerSecond, "p50_ms": percentile(50), "p90_ms": percentile(90),
            "p99_ms": percentile(99), "max_ms": latencies.last ?? 0, "idle_bytes_per_connection": idleBytesPerConnection ?? -1,
            "server_rss_after": serverRSSAfter ?? -1, "client_cpu_seconds": clientCPUSeconds,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    enum CodingKeys: CodingKey {}
    func encode(to encoder: any Encoder) throws {}
}
