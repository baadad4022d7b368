import ArgumentParser

@main
struct Starlane: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starlane",
        abstract: "A persistent world of Lua actors with a verifiable log.",
        subcommands: [
            ServeCommand.self, KeygenCommand.self, SendCommand.self, SpawnCommand.self, StateCommand.self, LogCommand.self,
            WatchCommand.self, PlayCommand.self, ShellCommand.self, MapCommand.self, BotCommand.self, RunCommand.self, VerifyCommand.self, ExportCommand.self, WorkloadCommand.self, BenchCommand.self,
        ]
    )
}
