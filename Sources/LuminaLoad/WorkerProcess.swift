import Foundation

/// A worker `lumina-load` process started by the coordinator: it prints `READY <seconds>` once its
/// clients are open, reads `SENT <n>` on its input, drains and prints its `ClientTally` as JSON.
final class WorkerProcess: @unchecked Sendable {
    private let process: Process
    private let input: Pipe
    private let output: Pipe

    private init(process: Process, input: Pipe, output: Pipe) {
        self.process = process
        self.input = input
        self.output = output
    }

    static func start(arguments: [String]) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        return WorkerProcess(process: process, input: input, output: output)
    }

    /// Seconds the worker took to open its clients (0 if it ended first).
    func waitReady() async -> Double {
        guard let line = await PipeIO.readLine(fd: output.fileHandleForReading.fileDescriptor),
              line.hasPrefix("READY ") else { return 0 }
        return Double(line.dropFirst(6)) ?? 0
    }

    func send(_ line: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data(line.utf8))
    }

    /// The worker's tally; a worker that does not answer in time is stopped and counts as nothing.
    func result(timeout: Double) async -> ClientTally {
        let fd = output.fileHandleForReading.fileDescriptor
        let process = process
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            process.terminate()
        }
        let data = await PipeIO.readAll(fd: fd)
        watchdog.cancel()
        return (try? JSONDecoder().decode(ClientTally.self, from: data)) ?? ClientTally()
    }
}

/// Blocking reads of a pipe, off the concurrency pool's threads.
enum PipeIO {
    static func readLine(fd: Int32) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                var byte: UInt8 = 0
                while read(fd, &byte, 1) == 1 {
                    if byte == 0x0A { continuation.resume(returning: String(decoding: bytes, as: UTF8.self)); return }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    static func readAll(fd: Int32) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    if n <= 0 { break }
                    data.append(contentsOf: buffer[0..<n])
                }
                continuation.resume(returning: data)
            }
        }
    }
}
