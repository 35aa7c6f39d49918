import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LuminaTestSupport

/// The real `lumina` binary, started on a free port with its own data directory and database.
final class LuminaProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let dataDirectory: String
    let databaseURL: String
    let logPath: String
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static var binary: String { TestDatabase.repositoryRoot + "/.build/debug/lumina" }

    /// Starts `lumina serve` and waits until `/healthz` answers.
    init(extraEnvironment: [String: String] = [:], databaseURL: String? = nil, dataDirectory: String? = nil) async throws {
        if let databaseURL, let dataDirectory {
            self.databaseURL = databaseURL
            self.dataDirectory = dataDirectory
        } else {
            let made = try await TestDatabase.make()
            self.databaseURL = databaseURL ?? made.url
            self.dataDirectory = dataDirectory ?? made.dataDirectory
        }
        try FileManager.default.createDirectory(atPath: self.dataDirectory, withIntermediateDirectories: true)
        port = try Self.freePort()
        logPath = self.dataDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", "\(port)", "--data-dir", self.dataDirectory, "--database-url", self.databaseURL]
        process.environment = ProcessInfo.processInfo.environment.merging(["LUMINA_BCRYPT_COST": "4", "LUMINA_DATABASE_POOL_SIZE": "4"]) { $1 }
            .merging(extraEnvironment) { $1 }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try await waitUntilHealthy()
    }

    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw HarnessError("lumina exited during start-up:\n\(log)") }
            if let (status, _) = try? await get("/healthz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("lumina did not become healthy within \(timeout):\n\(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> (Int, String) {
        try await send("GET", path, body: nil, headers: headers)
    }

    func send(_ method: String, _ path: String, body: String?, headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request, delegate: NoRedirects())
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw HarnessError("lumina did not stop within \(timeout) of signal \(signal)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `lumina` with arguments to completion (maintenance commands).
struct LuminaCommand {
    let status: Int32
    let stdout: String
    let stderr: String

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60),
                    binary: String = LuminaProcess.binary) async throws -> LuminaCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["LUMINA_BCRYPT_COST": "4"]) { $1 }.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { process.terminate(); throw HarnessError("lumina \(arguments) timed out") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return LuminaCommand(status: process.terminationStatus,
                             stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                             stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
