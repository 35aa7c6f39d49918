import CEpoll
import Foundation
import Glibc

/// WebSocket clients on raw non-blocking sockets and epoll, a few threads for thousands of sockets.
///
/// Why not the NIO client: the load client shares the machine's two cores with the server, and
/// every microsecond it spends per delivery is taken from the server and added to the latency it
/// measures. Through a channel pipeline and an async sequence a delivery cost the client about
/// 25 µs; here it is one `read` per ready socket (often several frames) and a byte scan. These
/// clients do what the benchmark needs and no more: the handshake with `?token=`, unmasked server
/// frames, pongs for the server's pings, and the close frame. Compression is the NIO client's
/// job (`--deflate`).
///
/// By default the threads poll every millisecond instead of sleeping in `epoll_wait`. On loopback
/// the server's `write` runs the client's TCP receive and wakes the client thread that sleeps on
/// the socket, often preempting the server's own thread: on the 2-core machine about a fifth of
/// the server's perf samples, a cost a client on another machine never puts on it (polling took
/// one group of 10,000 from p99 182 to 153 ms). A polling client is never asleep on a socket, so nothing is woken, and the frames are timed when
/// read: a poll adds at most its interval to the latency reported, never takes any away.
final class EpollClients: @unchecked Sendable {
    /// One socket and what is left of its stream.
    private final class Connection {
        enum State { case connecting, handshaking, awaitingPresence, open, closed }
        let fd: Int32
        let record: ClientRecord
        /// The upgrade request, kept only until it is sent.
        var request: [UInt8]
        var state = State.connecting
        /// Bytes read but not yet a whole frame (or the response head during the handshake).
        var pending: [UInt8] = []

        init(fd: Int32, record: ClientRecord, request: [UInt8]) {
            self.fd = fd
            self.record = record
            self.request = request
        }
    }

    /// One thread's share: its own epoll instance and sockets, so the threads share nothing but
    /// the records and the countdown.
    private final class Loop: @unchecked Sendable {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        var waiting: [(record: ClientRecord, path: String)]
        var next = 0
        var connecting = 0
        var byFD: [Connection?] = []
        let handshakesInFlight: Int
        let address: sockaddr_in
        let host: String
        let groups: Int
        let opened: Countdown
        /// Microseconds between polls, 0 to sleep in `epoll_wait` (see `start`).
        let pollInterval: UInt32
        var scratch = [UInt8](repeating: 0, count: 1 << 16)

        init(clients: [(ClientRecord, String)], address: sockaddr_in, host: String, groups: Int,
             handshakesInFlight: Int, opened: Countdown, pollInterval: UInt32) {
            waiting = clients
            self.pollInterval = pollInterval
            self.address = address
            self.host = host
            self.groups = groups
            self.handshakesInFlight = max(1, handshakesInFlight)
            self.opened = opened
        }

        func run() {
            var events = [epoll_event](repeating: epoll_event(), count: 1024)
            while true {
                startConnections()
                // Handshakes are not slowed by polling: it starts once every client is open.
                let polling = pollInterval > 0 && next == waiting.count && connecting == 0
                let ready = epoll_wait(epoll, &events, Int32(events.count), polling ? 0 : 20)
                defer { if polling && ready < events.count { usleep(pollInterval) } }
                guard ready > 0 else { continue }
                for i in 0..<Int(ready) {
                    let fd = events[i].data.fd
                    guard Int(fd) < byFD.count, let connection = byFD[Int(fd)] else { continue }
                    let flags = events[i].events
                    switch connection.state {
                    case .connecting:
                        finishConnect(connection, flags: flags)
                    case .handshaking, .awaitingPresence, .open:
                        readAvailable(connection)
                    case .closed:
                        break
                    }
                }
            }
        }

        private func startConnections() {
            while connecting < handshakesInFlight, next < waiting.count {
                let (record, path) = waiting[next]
                next += 1
                let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bHVtaW5hLWxvYWQtY2xpZW50\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8)
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { fail(record); continue }
                let connection = Connection(fd: fd, record: record, request: request)
                if Int(fd) >= byFD.count { byFD.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - byFD.count)) }
                byFD[Int(fd)] = connection
                connecting += 1
                var address = address
                let result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                if result != 0 && errno != EINPROGRESS { close(connection); continue }
                var event = epoll_event(events: EPOLLOUT.rawValue, data: epoll_data_t(fd: fd))
                epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
            }
        }

        private func finishConnect(_ connection: Connection, flags: UInt32) {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0, flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) == 0 else { close(connection); return }
            let written = connection.request.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written == connection.request.count else { close(connection); return }
            connection.request = []
            connection.state = .handshaking
            var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: connection.fd))
            epoll_ctl(epoll, EPOLL_CTL_MOD, connection.fd, &event)
        }

        private func readAvailable(_ connection: Connection) {
            let count = scratch.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            // Timed at each read, not once per batch, so a batch's last socket is not timed early.
            let now = Clock.wallNanoseconds()
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard count > 0 else { close(connection); return }
            if connection.pending.isEmpty && connection.state != .handshaking {
                let used = scratch.withUnsafeBytes { consume(connection, UnsafeRawBufferPointer(rebasing: $0[..<count]), now: now) }
                if used < count, connection.state != .closed { connection.pending.append(contentsOf: scratch[used..<count]) }
                return
            }
            connection.pending.append(contentsOf: scratch[..<count])
            if connection.state == .handshaking {
                guard let end = headEnd(connection.pending) else {
                    if connection.pending.count > 8192 { close(connection) }
                    return
                }
                guard connection.pending.starts(with: Array("HTTP/1.1 101".utf8)) else { close(connection); return }
                connection.pending.removeFirst(end)
                connection.state = .awaitingPresence
            }
            let used = connection.pending.withUnsafeBytes { consume(connection, $0, now: now) }
            if connection.state != .closed { connection.pending.removeFirst(used) }
        }

        /// Handles every whole frame at the start of `bytes`; returns how many bytes they took.
        private func consume(_ connection: Connection, _ bytes: UnsafeRawBufferPointer, now: Int) -> Int {
            var at = 0
            while bytes.count - at >= 2, connection.state != .closed {
                let first = bytes[at]
                var length = Int(bytes[at + 1] & 0x7F)
                var header = 2
                if length == 126 {
                    guard bytes.count - at >= 4 else { break }
                    length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
                    header = 4
                } else if length == 127 {
                    guard bytes.count - at >= 10 else { break }
                    length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[at + 2 + $1]) }
                    header = 10
                }
                // A server never masks (RFC 6455 §5.1).
                guard bytes[at + 1] & 0x80 == 0 else { close(connection); break }
                guard bytes.count - at >= header + length else { break }
                let payload = UnsafeRawBufferPointer(rebasing: bytes[(at + header)..<(at + header + length)])
                at += header + length
                switch first & 0x0F {
                case 0x1:
                    text(connection, payload, now: now)
                case 0x8:
                    close(connection)
                case 0x9:
                    pong(connection, payload)
                default:
                    break
                }
            }
            return at
        }

        private func text(_ connection: Connection, _ payload: UnsafeRawBufferPointer, now: Int) {
            if connection.state == .awaitingPresence {
                guard Scan.contains(payload, Scan.presence) else { return }
                connection.state = .open
                connection.record.didOpen()
                connecting -= 1
                opened.tick()
                return
            }
            guard let seq = Scan.integer(after: Scan.seqKey, in: payload),
                  let sent = Scan.integer(after: Scan.tsKey, in: payload) else { return }
            connection.record.record(seq: seq, latencyNanoseconds: now - sent, groups: groups)
        }

        /// A client's frames are masked; a zero mask leaves the payload as it is.
        private func pong(_ connection: Connection, _ payload: UnsafeRawBufferPointer) {
            var frame: [UInt8] = [0x8A, 0x80 | UInt8(min(payload.count, 125)), 0, 0, 0, 0]
            frame.append(contentsOf: payload.prefix(125))
            _ = frame.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        private func close(_ connection: Connection) {
            let wasOpening = connection.state != .open && connection.state != .closed
            connection.state = .closed
            connection.pending = []
            epoll_ctl(epoll, EPOLL_CTL_DEL, connection.fd, nil)
            Glibc.close(connection.fd)
            byFD[Int(connection.fd)] = nil
            connection.record.didClose()
            if wasOpening { connecting -= 1; opened.tick() }
        }

        private func fail(_ record: ClientRecord) {
            record.didClose()
            opened.tick()
        }

        private func headEnd(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for i in 3..<bytes.count where bytes[i] == 0x0A && bytes[i - 1] == 0x0D && bytes[i - 2] == 0x0A && bytes[i - 3] == 0x0D {
                return i + 1
            }
            return nil
        }
    }

    /// Starts `threads` threads that open `clients` (record and request path each) on `port` of
    /// 127.0.0.1 and read them until the process ends; `opened` ticks once per client that opened
    /// or failed.
    static func start(clients: [(ClientRecord, String)], port: Int, groups: Int, threads: Int,
                      handshakesInFlight: Int, opened: Countdown, pollInterval: UInt32) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let threads = max(1, min(threads, clients.count))
        for t in 0..<threads {
            let share = stride(from: t, to: clients.count, by: threads).map { clients[$0] }
            let loop = Loop(clients: share, address: address, host: "127.0.0.1:\(port)", groups: groups,
                            handshakesInFlight: handshakesInFlight / threads, opened: opened,
                            pollInterval: pollInterval)
            let thread = Thread { loop.run() }
            thread.name = "lumina-load-\(t)"
            thread.start()
        }
    }
}
