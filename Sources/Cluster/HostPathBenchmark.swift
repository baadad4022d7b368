import LuaVM

/// What one message costs on the host path (packing, the Lua call, the result) when
/// its process's heap is in the CPU caches, and when it is not: for `bench dispatch`.
/// A turn chases pointers through its process's heap; when many processes take turns
/// (a game tick: a thousand players, one message each), each heap has left the caches
/// since its last turn and every step waits for memory. The same messages through
/// states without the prelude (a `handle` that only counts) tell the prelude's share;
/// a handler that sends one message back, what a hop of a ping-pong evaluates.
public enum HostPathBenchmark {
    /// What a `Ping` runs.
    public enum Work: Sendable, CaseIterable {
        /// The prelude, and a handler that counts it.
        case count
        /// The prelude, and a handler that counts it and sends one message back.
        case countAndSend
        /// No prelude: a `_STARLANE.handle` that counts and returns an empty result.
        case noPrelude
    }

    /// Median, over `rounds`, of the CPU seconds (this thread) per `Ping` message, each
    /// round sending every one of `processes` processes `perProcess` messages in turn.
    public static func cpuPerMessage(processes: Int, perProcess: Int = 3, rounds: Int = 5,
                                     work: Work) throws -> Double {
        precondition(processes > 0 && perProcess > 0 && rounds > 0, "the benchmark needs work to do")
        let receivers = try (0..<processes).map { try Receiver.make(work, number: $0) }
        var sent: Int64 = 1
        var seconds: [Double] = []
        for _ in 0..<rounds {
            let start = CPUClock.thread()
            for _ in 0..<perProcess {
                for receiver in receivers {
                    try receiver.ping(sent)
                    sent += 1
                }
            }
            seconds.append((CPUClock.thread() - start) / Double(processes * perProcess))
        }
        for receiver in receivers {
            let counted = try receiver.count()
            guard counted == rounds * perProcess else {
                throw RunnerError("host path bench: a receiver counted \(counted) of \(rounds * perProcess) messages")
            }
        }
        return seconds.sorted()[rounds / 2]
    }

    /// One receiving process, with or without the prelude.
    private enum Receiver {
        /// A process with the prelude, and how many messages its handler sends.
        case process(AOProcess, sends: Int)
        case bare(LuaState)

        static let owner = Identifiers.derive("host-path-bench", "owner")
        static let counter = "Count = 0\nHandlers.add('Ping', 'Ping', function() Count = Count + 1 end)"
        static let replier = """
            Count = 0
            Handlers.add('Ping', 'Ping', function(msg)
              Count = Count + 1
              Send({ Target = msg.From, Action = 'Pong' })
            end)
            """
        /// The prelude's contract without its work: count, and return an empty result.
        static let bareHandle = """
            Count = 0
            local result = { Output = "", Messages = {}, Spawns = {}, Assignments = {} }
            _STARLANE = { handle = function() Count = Count + 1; return result end }
            """

        static func make(_ work: Work, number: Int) throws -> Receiver {
            switch work {
            case .count: try process(counter, sends: 0, number: number)
            case .countAndSend: try process(replier, sends: 1, number: number)
            case .noPrelude: try bare()
            }
        }

        static func process(_ module: String, sends: Int, number: Int) throws -> Receiver {
            let id = Identifiers.derive("host-path-bench", String(number))
            let identity = ProcessIdentity(id: id, owner: owner, moduleID: Identifiers.module(source: module),
                                           tags: [Tag("Type", "Process")])
            let process = try AOProcess(identity: identity, moduleSource: module,
                                        limits: .init(memoryBytes: 0, instructionsPerCall: 0))
            let spawn = process.handle(Message(id: id, from: owner, target: id, tags: identity.tags,
                                               timestamp: 1_700_000_000_000, slot: 0))
            if let error = spawn.error { throw RunnerError("bench module failed: \(error)") }
            return .process(process, sends: sends)
        }

        static func bare() throws -> Receiver {
            let state = try LuaState(limits: .init(memoryBytes: 0, instructionsPerCall: 0))
            try state.setEnvironment(json: "{}")
            _ = try state.exec(bareHandle)
            return .bare(state)
        }

        /// The messages its handler counted.
        func count() throws -> Int {
            let text: String?
            switch self {
            case .process(let process, _): text = try process.inspectUnbudgeted("return tostring(Count)")
            case .bare(let state): text = try state.exec("return tostring(Count)")
            }
            return text.flatMap { Int($0) } ?? -1
        }

        /// Sends the `number`th `Ping` of the run.
        func ping(_ number: Int64) throws {
            var message = Message(id: "ping-\(number)", from: Self.owner, target: "bare",
                                  tags: [Tag("Action", "Ping")], data: String(number),
                                  timestamp: 1_700_000_000_000 + number, slot: number)
            switch self {
            case .process(let process, let sends):
                message.target = process.identity.id
                message.slot = process.nextSlot
                let result = process.handle(message)
                if let error = result.error { throw RunnerError("ping failed: \(error)") }
                if result.messages.count != sends { throw RunnerError("ping sent \(result.messages.count) messages") }
            case .bare(let state):
                _ = try state.handle("_STARLANE.handle", message: MessagePacking.pack(message), seed: number,
                                     timestamp: message.timestamp, counted: false, read: MessagePacking.unpackResult)
            }
        }
    }
}
