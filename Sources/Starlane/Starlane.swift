import ArgumentParser

@main
struct Starlane: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starlane",
        abstract: "A persistent world of Lua actors with a verifiable log.",
        subcommands: [RunCommand.self, VerifyCommand.self, ExportCommand.self, WorkloadCommand.self, BenchCommand.self]
    )
}
