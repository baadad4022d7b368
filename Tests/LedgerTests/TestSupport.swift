import Foundation
@testable import Ledger

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("ledger.db").path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Builds consecutive, correctly linked entries of one process.
struct ChainBuilder {
    let process: ProcessRecord
    private(set) var nextSlot: Int64 = 0
    private(set) var previous: Data

    init(_ process: ProcessRecord) {
        self.process = process
        previous = HashChain.genesis(of: process)
    }

    mutating func next(data: String? = nil, messageID: String? = nil, origin: MessageOrigin? = nil,
                       tags: [TagRecord] = [TagRecord("Action", "Ping")]) -> AssignmentRecord {
        let record = AssignmentRecord(
            process: process.id, slot: nextSlot,
            messageID: messageID ?? "\(process.id)-m\(nextSlot)", from: "sender-1", owner: "owner-1",
            tags: tags, data: data ?? "data \(nextSlot) of \(process.id)",
            timestamp: 1_700_000_000_000 + nextSlot, origin: origin, previousHash: previous)
        nextSlot += 1
        previous = record.hashChain
        return record
    }

    /// The append write of the next entry, with a result.
    mutating func append(data: String? = nil, messageID: String? = nil,
                         origin: MessageOrigin? = nil) -> LedgerWrite {
        let record = next(data: data, messageID: messageID, origin: origin)
        return .append(record, result: ResultRecord(process: record.process, slot: record.slot,
                                                    output: "out \(record.slot)"))
    }
}

enum Fixtures {
    static let module = ModuleRecord(id: "module-1", source: "Handlers.add('ping', 'Ping', function() end)")

    static func process(_ name: String) -> ProcessRecord {
        ProcessRecord(id: name, moduleID: module.id, owner: "owner-1",
                      tags: [TagRecord("Name", name), TagRecord("Type", "Process")], createdAt: 1_700_000_000_000)
    }

    /// A ledger with the fixture module and processes recorded.
    static func ledger(in directory: TemporaryDirectory, processes names: [String],
                       configuration: LedgerConfiguration = LedgerConfiguration(durability: .normal))
        throws -> (Ledger, [ChainBuilder]) {
        let ledger = try Ledger(path: directory.databasePath, configuration: configuration)
        var setup = LedgerBatch([.module(module)])
        for name in names { setup.append(.process(process(name))) }
        try ledger.write(setup)
        return (ledger, names.map { ChainBuilder(process($0)) })
    }
}

/// Counts calls, from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]

    func hit(_ key: Int = 0) {
        lock.lock()
        counts[key, default: 0] += 1
        lock.unlock()
    }

    func count(_ key: Int = 0) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[key, default: 0]
    }

    var all: [Int: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// Holds the writer thread inside a completion until released, so that the batches
/// submitted meanwhile are committed together in the next group.
final class WriterGate: @unchecked Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    /// Submits an empty batch whose completion blocks the writer; returns once it does.
    func close(_ ledger: Ledger) throws {
        try ledger.submit(LedgerBatch()) { [self] _ in
            entered.signal()
            released.wait()
        }
        entered.wait()
    }

    func open() {
        released.signal()
    }
}

/// Collects completion outcomes by submission index.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Int: Result<BatchReport, LedgerError>] = [:]

    func completion(_ index: Int) -> LedgerCompletion {
        { [self] result in
            lock.lock()
            precondition(outcomes[index] == nil, "completion \(index) ran twice")
            outcomes[index] = result
            lock.unlock()
        }
    }

    subscript(index: Int) -> Result<BatchReport, LedgerError>? {
        lock.lock()
        defer { lock.unlock() }
        return outcomes[index]
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
