import ArgumentParser

/// `lumina`: the LuminaBI server and its maintenance commands.
@main
struct Lumina: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumina",
        abstract: "LuminaBI: self-hosted, real-time business intelligence.",
        version: LuminaVersion.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, CreateUserCommand.self, AnalyzeCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

enum LuminaVersion {
    static let current = "0.1.0"
}
