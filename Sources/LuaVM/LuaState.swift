import CLuaNatives

/// One sandboxed Lua 5.4 state: the heap of exactly one process.
///
/// It owns its `lua_State` (through the C `clua_vm`) and frees it in `deinit`. All
/// work runs under `lua_pcall` in C; Swift sees results and `LuaError`s only. A
/// state is confined to the thread that uses it: it is deliberately not Sendable.
public final class LuaState {
    private let vm: OpaquePointer
    public let limits: LuaLimits

    /// Creates a state with the sandboxed standard libraries, `json` and the
    /// deterministic `pairs`.
    public init(limits: LuaLimits = .default) throws {
        var error = clua_buffer()
        guard let vm = clua_vm_new(limits.memoryBytes, &error) else {
            defer { clua_buffer_free(&error) }
            throw LuaError(kind: .creation, message: Self.string(error) ?? "cannot create a Lua state")
        }
        self.vm = vm
        self.limits = limits
    }

    deinit {
        clua_vm_free(vm)
    }

    /// Bytes the state holds now.
    public var memoryUsed: Int { clua_vm_memory_used(vm) }

    /// Instructions the last call ran, to within the hook interval (1,000); 0 when it
    /// ran uncounted (`handle(counted: false)`).
    public var lastCallInstructions: Int64 { clua_vm_last_instructions(vm) }

    /// True once user code read `os.clock` in an uncounted call: the state counts every
    /// later call, and a host that replaces it (a rollback) should ask for counting too.
    public var wantsCounting: Bool { clua_vm_wants_counting(vm) != 0 }

    /// What `os.time()` returns in the next calls: the current message's timestamp.
    public func setTime(_ timestamp: Int64) {
        clua_vm_set_time(vm, timestamp)
    }

    /// Seeds `math.random` as `math.randomseed(a, b)` does.
    public func seedRandom(_ a: Int64, _ b: Int64) throws {
        var result = clua_buffer()
        try check(clua_vm_seed_random(vm, a, b), &result)
    }

    /// Makes `require(name)` load `source` (compiled now, run on first require).
    public func preload(name: String, source: String) throws {
        var error = clua_buffer()
        let status = name.withCString { cname in
            source.withCString { csource in
                clua_vm_preload(vm, cname, csource, source.utf8.count, &error)
            }
        }
        try check(status, &error)
    }

    /// The bytecode of `source`, compiled as `preload(name:source:)` would compile it:
    /// compile once, then `preload(name:bytecode:)` into every new state.
    public static func compile(name: String, source: String) throws -> [UInt8] {
        let scratch = try LuaState(limits: .init(memoryBytes: 0, instructionsPerCall: 0))
        var result = clua_buffer()
        let status = name.withCString { cname in
            source.withCString { csource in
                clua_vm_compile(scratch.vm, cname, csource, source.utf8.count, &result)
            }
        }
        try scratch.check(status, &result)
        defer { clua_buffer_free(&result) }
        guard let data = result.data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: result.length) {
            Array(UnsafeBufferPointer(start: $0, count: result.length))
        }
    }

    /// Makes `require(name)` run bytecode from `compile(name:source:)`. Only the host
    /// loads bytecode; Lua code in a process can load text only.
    public func preload(name: String, bytecode: [UInt8]) throws {
        var error = clua_buffer()
        let status = bytecode.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { bytes in
                name.withCString { cname in
                    clua_vm_preload_binary(vm, cname, bytes.baseAddress, bytes.count, &error)
                }
            }
        }
        try check(status, &error)
    }

    /// Registers the image's modules as `package.preload` entries and runs its runner
    /// chunk, in one protected call with the collector paused: what `preload(name:bytecode:)`
    /// for each module and then `exec` of the runner's text would do (the same
    /// instructions run), without a parse or a call per module.
    public func boot(_ image: LuaBootImage, budget: Int64? = nil) throws {
        var error = clua_buffer()
        let status = clua_vm_boot(vm, UnsafePointer(image.modules.baseAddress), image.modules.count, image.runner,
                                  budget ?? limits.instructionsPerCall, &error)
        try check(status, &error)
    }

    /// Runs a text chunk with the instruction budget; returns its first result
    /// when that is a string or a number.
    @discardableResult
    public func exec(_ source: String, chunkName: String = "=chunk", budget: Int64? = nil) throws -> String? {
        var result = clua_buffer()
        let status = source.withCString { csource in
            chunkName.withCString { cname in
                clua_vm_exec(vm, csource, source.utf8.count, cname, budget ?? limits.instructionsPerCall, &result)
            }
        }
        try check(status, &result)
        defer { clua_buffer_free(&result) }
        return Self.string(result)
    }

    /// Calls the global function at `path` ("a.b.c") with the elements of a JSON
    /// array and returns its first result as JSON.
    public func callJSON(_ path: String, arguments: String, budget: Int64? = nil) throws -> String {
        var result = clua_buffer()
        let status = path.withCString { cpath in
            arguments.withCString { cargs in
                clua_vm_call_json(vm, cpath, cargs, arguments.utf8.count, budget ?? limits.instructionsPerCall, &result)
            }
        }
        try check(status, &result)
        defer { clua_buffer_free(&result) }
        return Self.string(result) ?? "null"
    }

    /// Stores the environment (a JSON object) that `handle` passes to the handler,
    /// unless the heap already holds one (a restored snapshot keeps its own: the
    /// environment is persisted with the process, changes included).
    public func setEnvironment(json: String) throws {
        var error = clua_buffer()
        let status = json.withCString { cjson in clua_vm_set_env(vm, cjson, json.utf8.count, &error) }
        try check(status, &error)
    }

    /// Calls the handler at `path` with a message built from `message` (the packed
    /// form of docs/RUNTIME.md) and the stored environment, or `environmentJSON`
    /// when given, with `moduleSource` (if any) as its Module.Source; `os.time()`
    /// answers `timestamp` and `math.random` is seeded with (`seed`, the message's
    /// slot). `read` gets the packed result, valid only during the call.
    ///
    /// With `counted` false the call may run without the instruction-count hook
    /// (docs/RUNTIME.md, "Counting instructions"; a warm message ~10% faster); it then
    /// throws a `.mustCount` error when it cannot finish that way (it used more CPU than
    /// its budget allows, or read `os.clock`), after changing the heap in part: the caller
    /// restores the heap as it was before the call and calls again with `counted` true.
    public func handle<T>(_ path: String, message: [UInt8], environmentJSON: String? = nil,
                          moduleSource: String? = nil, seed: Int64, timestamp: Int64, budget: Int64? = nil,
                          counted: Bool = true, read: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var error = clua_buffer()
        let budget = budget ?? limits.instructionsPerCall
        let counted: Int32 = counted ? 1 : 0
        let status = message.withUnsafeBytes { packed in
            path.withCString { cpath in
                let base = packed.baseAddress?.assumingMemoryBound(to: CChar.self)
                guard let environmentJSON else {
                    return clua_vm_handle(vm, cpath, base, packed.count, nil, 0, nil, 0, seed, timestamp,
                                          budget, counted, &error)
                }
                return environmentJSON.withCString { cenv in
                    guard let moduleSource else {
                        return clua_vm_handle(vm, cpath, base, packed.count, cenv, environmentJSON.utf8.count,
                                              nil, 0, seed, timestamp, budget, counted, &error)
                    }
                    return moduleSource.withCString { csource in
                        clua_vm_handle(vm, cpath, base, packed.count, cenv, environmentJSON.utf8.count,
                                       csource, moduleSource.utf8.count, seed, timestamp, budget, counted, &error)
                    }
                }
            }
        }
        try check(status, &error)
        var length = 0
        let bytes = clua_vm_result(vm, &length)
        return try read(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// Serializes the whole heap deterministically (see docs/PERSIST.md).
    public func persist() throws -> [UInt8] {
        var result = clua_buffer()
        try check(clua_vm_persist(vm, &result), &result)
        defer { clua_buffer_free(&result) }
        guard let data = result.data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: result.length) {
            Array(UnsafeBufferPointer(start: $0, count: result.length))
        }
    }

    /// A new state whose heap is the one `persist()` produced.
    public static func restore(_ bytes: [UInt8], limits: LuaLimits = .default) throws -> LuaState {
        let state = try LuaState(limits: limits)
        var error = clua_buffer()
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                clua_vm_restore(state.vm, $0.baseAddress, $0.count, &error)
            }
        }
        try state.check(status, &error)
        return state
    }

    /// Gives C glue in this module the vm pointer for one call.
    func withVM<R>(_ body: (OpaquePointer) -> R) -> R {
        body(vm)
    }

    // MARK: - Status codes to errors (the one choke point)

    private func check(_ status: Int32, _ buffer: inout clua_buffer) throws {
        guard status != Int32(CLUA_OK) else { return }
        defer { clua_buffer_free(&buffer) }
        let message = Self.string(buffer) ?? "unknown Lua error"
        throw LuaError(kind: Self.kind(of: status), message: message)
    }

    private static func kind(of status: Int32) -> LuaError.Kind {
        switch status {
        case Int32(CLUA_ERRSYNTAX): return .syntax
        case Int32(CLUA_ERRBUDGET): return .instructionBudget
        case Int32(CLUA_ERRMEMLIMIT), Int32(CLUA_ERRMEM): return .memoryLimit
        case Int32(CLUA_ERRERR): return .errorHandler
        case Int32(CLUA_ERRCOUNT): return .mustCount
        default: return .runtime
        }
    }

    private static func string(_ buffer: clua_buffer) -> String? {
        guard let data = buffer.data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: buffer.length)
        return String(decoding: bytes, as: UTF8.self)
    }
}

@available(*, unavailable)
extension LuaState: Sendable {}

