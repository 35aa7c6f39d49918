import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket to `127.0.0.1:port` with a 15 s receive timeout, for tests that speak
/// raw bytes (silent clients, hand-made frames).
public enum LoopbackSocket {
    public struct ConnectFailed: Error, CustomStringConvertible {
        public let port: Int
        public var description: String { "cannot connect to port \(port)" }
    }

    /// - Parameter receiveBuffer: a small kernel receive buffer makes a peer that stops reading fill up quickly.
    public static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw ConnectFailed(port: port)
        }
        return fd
    }
}
