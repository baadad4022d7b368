import ArgumentParser

@main
struct Starlane: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starlane",
        abstract: "A persistent world of Lua actors with a verifiable log.",
        subcommands: [RunCommand.self, BenchCommand.self]
    )
}
