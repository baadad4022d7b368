import ArgumentParser
import Client
import Foundation
import Identity
import Terminal

/// `starlane play`: the full-screen game client (docs/PLAY.md).
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play: join a world and fly your ships in a full-screen terminal client.",
        discussion: "Keys: arrows/hjkl cursor, HJKL step, Tab ship, m move, a attack, g mine, c capture, s sell, b build, t chat, : command, ? help, q quit. See docs/PLAY.md.")

    @Option(help: "The node's gateway.")
    var server = "http://127.0.0.1:8734"

    @Option(help: "The key file; created on first run. Default: ~/.starlane/key.json (or $STARLANE_HOME/key.json).")
    var key: String?

    @Option(help: "Your player name when joining (letters, digits, space, _ . -; at most 24).")
    var name: String?

    @Option(help: "The world's process id. Default: the world the server names (GET /~info, services.world).")
    var world: String?

    func run() throws {
        let path = key ?? KeyFile.defaultPath
        let (clientKey, created) = try reporting { try KeyFile.loadOrCreate(path) }
        if created { print("starlane: created a new key at \(path) (address \(clientKey.address))") }
        do {
            try PlayClient.run(.init(server: server, key: clientKey, name: name, world: world))
        } catch let error as PlayError {
            FileHandle.standardError.write(Data("starlane: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("starlane: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
