import Foundation

/// What the clients of one process saw; a worker process sends it to the coordinator as JSON.
struct ClientTally: Codable {
    var connected = 0
    /// Deliveries the open clients should have received.
    var expected = 0
    var failed = 0
    var closedEarly = 0
    var delivered = 0
    var duplicates = 0
    var foreign = 0
    var cpuSeconds = 0.0
    var latencies: [Int32] = []

    init() {}

    init(records: [ClientRecord], cpuSeconds: Double) {
        self.cpuSeconds = cpuSeconds
        for record in records {
            let s = record.snapshot()
            if s.opened { connected += 1 } else { failed += 1 }
            if s.opened && s.closed { closedEarly += 1 }
            delivered += s.delivered
            duplicates += s.duplicates
            foreign += s.foreign
            latencies.append(contentsOf: s.latencies)
        }
    }

    mutating func merge(_ other: ClientTally) {
        connected += other.connected
        expected += other.expected
        failed += other.failed
        closedEarly += other.closedEarly
        delivered += other.delivered
        duplicates += other.duplicates
        foreign += other.foreign
        cpuSeconds += other.cpuSeconds
        latencies.append(contentsOf: other.latencies)
    }
}

/// The figures of one load run.
struct LoadReport {
    let clients: Int
    let groups: Int
    let users: Int
    let processes: Int
    let tally: ClientTally
    let connectSeconds: Double
    let broadcasts: Int
    let rate: Double
    let sendSeconds: Double
    let measureSeconds: Double
    let expected: Int
    let serverRSSBefore: Int?
    let serverRSSIdle: Int?
    let serverRSSAfter: Int?
    let serverCPUSeconds: Double?
    let machineIdleFraction: Double?
    /// Latencies in milliseconds, sorted.
    let latencies: [Double]

    init(clients: Int, groups: Int, users: Int, processes: Int, tally: ClientTally, connectSeconds: Double,
         broadcasts: Int, rate: Double, sendSeconds: Double, measureSeconds: Double, expected: Int,
         serverRSSBefore: Int?, serverRSSIdle: Int?, serverRSSAfter: Int?, serverCPUSeconds: Double?,
         machineIdleFraction: Double?) {
        self.clients = clients
        self.groups = groups
        self.users = users
        self.processes = processes
        self.tally = tally
        self.connectSeconds = connectSeconds
        self.broadcasts = broadcasts
        self.rate = rate
        self.sendSeconds = sendSeconds
        self.measureSeconds = measureSeconds
        self.expected = expected
        self.serverRSSBefore = serverRSSBefore
        self.serverRSSIdle = serverRSSIdle
        self.serverRSSAfter = serverRSSAfter
        self.serverCPUSeconds = serverCPUSeconds
        self.machineIdleFraction = machineIdleFraction
        latencies = tally.latencies.map { Double($0) / 1000 }.sorted()
    }

    /// Nearest-rank percentile.
    func percentile(_ p: Double) -> Double? {
        guard !latencies.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank, 1), latencies.count) - 1]
    }

    var lost: Int { expected - tally.delivered }
    /// Deliveries over the time the broadcasts span (`broadcasts / rate`, at least the sending time).
    var deliveredPerSecond: Double {
        let span = rate > 0 ? max(Double(broadcasts) / rate, sendSeconds) : sendSeconds
        return Double(tally.delivered) / max(span, 0.001)
    }
    var connectionsPerSecond: Double { Double(tally.connected) / max(connectSeconds, 0.001) }
    var clientCPUPercent: Double { 100 * tally.cpuSeconds / max(measureSeconds, 0.001) }
    var serverCPUPercent: Double? { serverCPUSeconds.map { 100 * $0 / max(measureSeconds, 0.001) } }
    var idleBytesPerConnection: Int? {
        guard let before = serverRSSBefore, let idle = serverRSSIdle, tally.connected > 0 else { return nil }
        return (idle - before) / tally.connected
    }

    var text: String {
        func mib(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-" }
        func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
        func pct(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0) } ?? "-" }
        return """
        clients      \(tally.connected)/\(clients) open over \(groups) group(s), \(users) user(s), \(processes) client process(es); \
        \(tally.failed) failed, \(tally.closedEarly) closed by the server
        connect      \(String(format: "%.2f", connectSeconds)) s for all (\(Int(connectionsPerSecond)) clients/s, handshake to presence)
        broadcasts   \(broadcasts) in \(String(format: "%.1f", sendSeconds)) s (asked \(rate)/s in total, round-robin over groups)
        deliveries   expected \(expected), delivered \(tally.delivered), lost \(lost), duplicates \(tally.duplicates), \
        wrong group \(tally.foreign); \(Int(deliveredPerSecond)) delivered/s
        latency ms   p50 \(ms(percentile(50))) p90 \(ms(percentile(90))) p99 \(ms(percentile(99))) max \(ms(latencies.last))
        server RSS   before \(mib(serverRSSBefore)), idle \(mib(serverRSSIdle)), after \(mib(serverRSSAfter)); \
        per idle connection \(idleBytesPerConnection.map { String(format: "%.1f KiB", Double($0) / 1024) } ?? "-")
        CPU          client \(pct(clientCPUPercent)), server \(pct(serverCPUPercent)) of one core over \
        \(String(format: "%.1f", measureSeconds)) s of broadcasting and draining; machine idle \(pct(machineIdleFraction.map { $0 * 100 }))

        """
    }

    var json: String {
        var object: [String: Any] = [
            "clients": clients, "groups": groups, "users": users, "processes": processes,
            "connected": tally.connected, "failed": tally.failed, "closed_early": tally.closedEarly,
            "connect_seconds": connectSeconds, "connections_per_second": connectionsPerSecond,
            "broadcasts": broadcasts, "rate": rate, "send_seconds": sendSeconds,
            "expected": expected, "delivered": tally.delivered, "lost": lost,
            "duplicates": tally.duplicates, "wrong_group": tally.foreign,
            "delivered_per_second": deliveredPerSecond,
            "client_cpu_seconds": tally.cpuSeconds, "client_cpu_percent": clientCPUPercent,
        ]
        let optionals: [String: Any?] = [
            "p50_ms": percentile(50), "p90_ms": percentile(90), "p99_ms": percentile(99), "max_ms": latencies.last,
            "server_rss_before": serverRSSBefore, "server_rss_idle": serverRSSIdle, "server_rss_after": serverRSSAfter,
            "idle_bytes_per_connection": idleBytesPerConnection, "server_cpu_percent": serverCPUPercent,
            "machine_idle_percent": machineIdleFraction.map { $0 * 100 },
        ]
        for (key, value) in optionals { if let value { object[key] = value } }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
