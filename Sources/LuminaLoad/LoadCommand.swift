import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `lumina-load`: opens many WebSocket clients on dashboards of a running `lumina`, broadcasts through
/// the push API and reports connection rate, delivery latency, loss, server memory and CPU.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumina-load",
        abstract: "WebSocket fan-out load test against a running lumina server.",
        discussion: """
        Registers --users accounts, creates --groups dashboards (the first user owns them, the others are \
        viewers), opens --clients sockets on /ws/dashboard/<id>/ spread round-robin over the dashboards and \
        users, then posts --rate broadcasts per second in total (round-robin over the dashboards) to \
        POST /api/v1/dashboards/<id>/events for --duration seconds. Each event carries its sequence number \
        and send time; every client records its latency and which sequence numbers arrived. The run ends \
        at most --drain seconds after the last broadcast. --rate 0 only connects and holds the sockets \
        idle for --duration seconds (server memory per idle connection).
        """)

    @Option(help: "Server base URL.") var url = "http://127.0.0.1:8000"
    @Option(help: "WebSocket clients to open.") var clients = 1000
    @Option(help: "Dashboards (channel groups) the clients are spread over.") var groups = 1
    @Option(help: "Accounts the clients sign in as.") var users = 4
    @Option(help: "Broadcasts per second in total, round-robin over the groups (0: idle run).") var rate = 2.0
    @Option(help: "Seconds of broadcasting (or of holding idle sockets with --rate 0).") var duration = 20.0
    @Option(help: "Client processes (this one and N-1 workers it starts), clients split evenly.") var processes = 1
    @Option(help: "Threads per client process (epoll threads, or NIO event loops).") var threads = 2
    @Option(help: "Simultaneous handshakes while connecting.") var connectConcurrency = 200
    @Option(help: "New handshakes started per second per process (0: only --connect-concurrency limits; --engine nio only).") var ramp = 0.0
    @Option(help: "Seconds allowed for all clients to connect.") var connectTimeout = 120.0
    @Option(help: "Seconds to wait for deliveries after the last broadcast.") var drain = 10.0
    @Option(help: "The server's process id, to read its memory and CPU from /proc.") var serverPid: Int32?
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Ask for permessage-deflate in every handshake, as browsers do.") var deflate = false
    @Option(help: "Client sockets: epoll (raw sockets, a few microseconds per delivery) or nio (HummingbirdWSClient; needed for --deflate).")
    var engine = ClientEngine.epoll
    @Option(help: """
        --engine epoll: microseconds between polls of the sockets (0: sleep in epoll_wait until one is readable). \
        Polling spares the server a thread wake-up per delivery, which clients on other machines never cost it; \
        it adds at most this much to each measured latency.
        """)
    var pollInterval: UInt32 = 1000

    // A worker process's part, set by the coordinator.
    @Flag(help: .hidden) var worker = false
    @Option(help: .hidden) var tokens = ""
    @Option(help: .hidden) var dashboards = ""
    @Option(help: .hidden) var firstClient = 0
    @Option(help: .hidden) var clientCount = 0

    func validate() throws {
        guard clients > 0, groups > 0, users > 0, processes > 0, threads > 0 else {
            throw ValidationError("--clients, --groups, --users, --processes and --threads must be positive")
        }
        guard rate >= 0, duration >= 0, drain >= 0 else { throw ValidationError("--rate, --duration and --drain must not be negative") }
        guard !(deflate && engine == .epoll) else { throw ValidationError("--deflate needs --engine nio") }
        guard engine == .nio || URLComponents(string: url).flatMap({ $0.host == "127.0.0.1" ? $0.port : nil }) != nil else {
            throw ValidationError("--engine epoll connects to 127.0.0.1 only: give --url http://127.0.0.1:PORT")
        }
    }

    func run() async throws {
        SystemStats.raiseFileLimit()
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        if worker {
            try await runWorker(eventLoopGroup: eventLoopGroup)
        } else {
            try await runCoordinator(eventLoopGroup: eventLoopGroup)
        }
        // Sockets are not closed one by one: the process ends and the server sees them go.
        Foundation.exit(0)
    }

    private var capacity: Int { Int((rate * duration).rounded(.up)) + 1 }

    /// Opens clients `range`, returns their records once every one is open or has failed (or the
    /// connect timeout passed), and the seconds that took.
    private func connect(range: Range<Int>, tokens: [String], dashboards: [Int],
                         eventLoopGroup: MultiThreadedEventLoopGroup) async -> ([ClientRecord], Double) {
        let groups = groups
        let capacity = capacity
        let records = range.map { ClientRecord(group: $0 % groups, capacity: capacity) }
        let done = Countdown(records.count)
        let start = ContinuousClock.now
        let deadline = start + .seconds(connectTimeout)
        if engine == .epoll, let port = URLComponents(string: url)?.port {
            let clients = zip(records, range).map { record, index in
                (record, "/ws/dashboard/\(dashboards[index % groups])/?token=\(tokens[index % tokens.count])")
            }
            EpollClients.start(clients: clients, port: port, groups: groups, threads: threads,
                               handshakesInFlight: connectConcurrency, opened: done, pollInterval: pollInterval)
        } else {
            connectNIO(range: range, records: records, tokens: tokens, dashboards: dashboards, done: done,
                       start: start, eventLoopGroup: eventLoopGroup)
        }
        while !done.isZero, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return (records, (ContinuousClock.now - start).seconds)
    }

    private func connectNIO(range: Range<Int>, records: [ClientRecord], tokens: [String], dashboards: [Int],
                            done: Countdown, start: ContinuousClock.Instant,
                            eventLoopGroup: MultiThreadedEventLoopGroup) {
        let wsBase = url.replacingOccurrences(of: "http://", with: "ws://")
        let groups = groups
        let ramp = ramp
        let deflate = deflate
        let gate = ConnectGate(limit: connectConcurrency)
        Task {
            for (offset, index) in range.enumerated() {
                if ramp > 0 { try? await Task.sleep(until: start + .seconds(Double(offset) / ramp)) }
                await gate.enter()
                let record = records[offset]
                let url = "\(wsBase)/ws/dashboard/\(dashboards[index % groups])/?token=\(tokens[index % tokens.count])"
                Task {
                    await LoadClient.run(url: url, deflate: deflate, eventLoopGroup: eventLoopGroup, record: record, groups: groups) {
                        await gate.leave()
                        done.tick()
                    }
                }
            }
        }
    }

    /// Deliveries `records` should get when broadcasts 0..<sent went round-robin over the groups.
    private func expected(_ records: [ClientRecord], sent: Int) -> Int {
        records.reduce(0) { total, record in
            guard record.isOpen else { return total }
            return total + (sent > record.group ? (sent - 1 - record.group) / groups + 1 : 0)
        }
    }

    private func drainDeliveries(_ records: [ClientRecord], expected: Int) async {
        let deadline = ContinuousClock.now + .seconds(drain)
        while records.reduce(0, { $0 + $1.deliveredCount }) < expected, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func runCoordinator(eventLoopGroup: MultiThreadedEventLoopGroup) async throws {
        let api = LoadAPI(base: url)
        let accounts = try await api.signIn(count: users)
        let owner = accounts[0].token
        var dashboardIDs: [Int] = []
        for g in 0..<groups {
            let id = try await api.createDashboard(token: owner, name: "load \(g)")
            for account in accounts.dropFirst() { try await api.addMember(token: owner, dashboard: id, email: account.email) }
            dashboardIDs.append(id)
        }
        let tokenList = accounts.map(\.token)
        try await Task.sleep(for: .milliseconds(500))
        let rssBefore = serverPid.flatMap(SystemStats.rss)

        // Clients are split evenly; workers take the first shares, this process the last.
        let share = clients / processes
        var workers: [WorkerProcess] = []
        for p in 0..<(processes - 1) {
            workers.append(try WorkerProcess.start(arguments: [
                "--worker", "--url", url, "--groups", "\(groups)", "--rate", "\(rate)", "--duration", "\(duration)",
                "--threads", "\(threads)", "--connect-concurrency", "\(connectConcurrency)", "--ramp", "\(ramp)",
                "--connect-timeout", "\(connectTimeout)", "--drain", "\(drain)", "--engine", engine.rawValue,
                "--poll-interval", "\(pollInterval)",
            ] + (deflate ? ["--deflate"] : []) + [
                "--tokens", tokenList.joined(separator: ","), "--dashboards", dashboardIDs.map(String.init).joined(separator: ","),
                "--first-client", "\(p * share)", "--client-count", "\(share)",
            ]))
        }
        let connectStart = ContinuousClock.now
        let mine = ((processes - 1) * share)..<clients
        async let workersReady: [Double] = withTaskGroup(of: Double.self) { group in
            for worker in workers { group.addTask { await worker.waitReady() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let (records, _) = await connect(range: mine, tokens: tokenList, dashboards: dashboardIDs, eventLoopGroup: eventLoopGroup)
        _ = await workersReady
        let connectSeconds = (ContinuousClock.now - connectStart).seconds

        // Let the server settle, then read its memory with every socket open and idle.
        try await Task.sleep(for: .seconds(rate > 0 ? 2 : max(2, duration)))
        let rssIdle = serverPid.flatMap(SystemStats.rss)

        let cpuStart = SystemStats.ownCPUSeconds()
        let serverCPUStart = serverPid.flatMap(SystemStats.cpuSeconds)
        let machineStart = SystemStats.machineTicks()
        let measureStart = ContinuousClock.now
        var sent = 0
        if rate > 0 {
            let sendStart = ContinuousClock.now
            while sent < capacity {
                let target = sendStart + .seconds(Double(sent) / rate)
                if (target - sendStart).seconds >= duration { break }
                if target > ContinuousClock.now { try await Task.sleep(until: target) }
                try await api.push(token: owner, dashboard: dashboardIDs[sent % groups], seq: sent)
                sent += 1
            }
        }
        let sendSeconds = (ContinuousClock.now - measureStart).seconds
        for worker in workers { worker.send("SENT \(sent)\n") }
        await drainDeliveries(records, expected: expected(records, sent: sent))
        var tally = ClientTally(records: records, cpuSeconds: SystemStats.ownCPUSeconds() - cpuStart)
        tally.expected = expected(records, sent: sent)
        for worker in workers { tally.merge(await worker.result(timeout: drain + 10)) }
        let measureSeconds = (ContinuousClock.now - measureStart).seconds
        let serverCPU = zip(serverCPUStart, serverPid.flatMap(SystemStats.cpuSeconds)).map { $1 - $0 }
        let machineIdle = zip(machineStart, SystemStats.machineTicks()).map { start, end in
            (end.idle - start.idle) / max(end.total - start.total, 1)
        }
        let report = LoadReport(
            clients: clients, groups: groups, users: users, processes: processes, tally: tally,
            connectSeconds: connectSeconds, broadcasts: sent, rate: rate, sendSeconds: sendSeconds,
            measureSeconds: measureSeconds, expected: tally.expected,
            serverRSSBefore: rssBefore, serverRSSIdle: rssIdle, serverRSSAfter: serverPid.flatMap(SystemStats.rss),
            serverCPUSeconds: serverCPU, machineIdleFraction: machineIdle)
        FileHandle.standardOutput.write(Data((json ? report.json : report.text).utf8))
    }

    private func runWorker(eventLoopGroup: MultiThreadedEventLoopGroup) async throws {
        let tokenList = tokens.split(separator: ",").map(String.init)
        let dashboardIDs = dashboards.split(separator: ",").compactMap { Int($0) }
        guard !tokenList.isEmpty, dashboardIDs.count == groups else { throw ValidationError("worker without tokens or dashboards") }
        let (records, seconds) = await connect(range: firstClient..<(firstClient + clientCount), tokens: tokenList,
                                               dashboards: dashboardIDs, eventLoopGroup: eventLoopGroup)
        FileHandle.standardOutput.write(Data("READY \(seconds)\n".utf8))
        let cpuStart = SystemStats.ownCPUSeconds()
        // The coordinator says how many broadcasts it sent; end of input means it is gone.
        guard let line = await PipeIO.readLine(fd: 0), line.hasPrefix("SENT "), let sent = Int(line.dropFirst(5)) else { return }
        await drainDeliveries(records, expected: expected(records, sent: sent))
        var tally = ClientTally(records: records, cpuSeconds: SystemStats.ownCPUSeconds() - cpuStart)
        tally.expected = expected(records, sent: sent)
        FileHandle.standardOutput.write(try JSONEncoder().encode(tally))
    }
}

/// How the load client's sockets are driven.
enum ClientEngine: String, ExpressibleByArgument, Sendable {
    case epoll, nio
}

/// Counts clients that finished connecting (open or failed).
final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    init(_ count: Int) { remaining = count }
    func tick() { lock.lock(); remaining -= 1; lock.unlock() }
    var isZero: Bool { lock.lock(); defer { lock.unlock() }; return remaining <= 0 }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
