import Foundation

// lumina-bench: times LuminaBI's analysis pipeline on a CSV (see BenchCommand for usage).
do {
    let command = try BenchCommand(arguments: Array(CommandLine.arguments.dropFirst()))
    exit(try command.run() ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("lumina-bench: \(error)\n\n\(BenchCommand.usage)\n".utf8))
    exit(2)
}
