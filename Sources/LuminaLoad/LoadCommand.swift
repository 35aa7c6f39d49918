import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix

/// `lumina-load`: opens many WebSocket clients on dashboards of a running `lumina`, broadcasts through
/// the push API and reports connection rate, delivery latency, loss and server memory.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lumina-load",
                                                    abstract: "WebSocket fan-out load test against a running lumina server.")

    @Option(help: "Server base URL.") var url = "http://127.0.0.1:8000"
    @Option(help: "WebSocket clients to open.") var clients = 1000
    @Option(help: "Dashboards (channel groups) the clients are spread over.") var groups = 1
    @Option(help: "Broadcasts per second in total, round-robin over the groups.") var rate = 2.0
    @Option(help: "Seconds of broadcasting.") var duration = 10.0
    @Option(help: "Simultaneous handshakes while connecting.") var connectConcurrency = 200
    @Option(help: "The server's process id, to read its memory from /proc.") var serverPID: Int32?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        raiseFileLimit()
        let api = LoadAPI(base: url)
        let token = try await api.signIn()
        var dashboards: [Int] = []
        for g in 0..<groups { dashboards.append(try await api.createDashboard(token: token, name: "load \(g)")) }
        let stats = DeliveryStats(broadcasts: Int(rate * duration) + 1)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let wsBase = url.replacingOccurrences(of: "http://", with: "ws://")
        let rssBefore = serverPID.flatMap(ProcessMemory.rss)
        let cpuStart = ProcessMemory.cpuSeconds()

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            let connectStart = ContinuousClock.now
            let gate = ConnectGate(limit: connectConcurrency)
            for index in 0..<clients {
                await gate.enter()
                let dashboard = dashboards[index % groups]
                tasks.addTask {
                    await LoadClient.run(url: "\(wsBase)/ws/dashboard/\(dashboard)/?token=\(token)", eventLoopGroup: group,
                                         stats: stats, onOpen: { await gate.leave() })
                }
            }
            while stats.connected < clients {
                if ContinuousClock.now - connectStart > .seconds(120) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let connectSeconds = (ContinuousClock.now - connectStart).seconds
            try await Task.sleep(for: .seconds(2))
            let rssIdle = serverPID.flatMap(ProcessMemory.rss)

            let interval = 1.0 / rate
            let sendStart = ContinuousClock.now
            var sent = 0
            var expected = 0
            let perGroup = (0..<groups).map { g in (0..<clients).filter { $0 % groups == g }.count }
            while (ContinuousClock.now - sendStart).seconds < duration, sent < stats.capacity {
                let target = sendStart + .seconds(Double(sent) * interval)
                if target > ContinuousClock.now { try await Task.sleep(until: target) }
                let g = sent % groups
                try await api.push(token: token, dashboard: dashboards[g], seq: sent)
                expected += perGroup[g]
                sent += 1
            }
            let sendSeconds = (ContinuousClock.now - sendStart).seconds
            let drainDeadline = ContinuousClock.now + .seconds(10)
            while stats.delivered < expected && ContinuousClock.now < drainDeadline { try await Task.sleep(for: .milliseconds(50)) }
            let rssAfter = serverPID.flatMap(ProcessMemory.rss)
            let report = LoadReport(
                clients: clients, groups: groups, connected: stats.connected, connectSeconds: connectSeconds,
                broadcasts: sent, rate: rate, expected: expected, delivered: stats.delivered, sendSeconds: sendSeconds,
                latencies: stats.latencyMilliseconds(), serverRSSBefore: rssBefore, serverRSSIdle: rssIdle, serverRSSAfter: rssAfter,
                clientCPUSeconds: ProcessMemory.cpuSeconds() - cpuStart)
            FileHandle.standardOutput.write(Data((json ? report.json : report.text).utf8))
            tasks.cancelAll()
        }
        try await group.shutdownGracefully()
    }

    private func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
