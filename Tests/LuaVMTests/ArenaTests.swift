import CLuaNatives
import Testing
@testable import LuaVM

/// A state's small-block heap (arena.c): blocks that never overlap, keep their bytes
/// across reallocation, are reused per size class, and go back in one release.
@Suite struct ArenaTests {
    /// Runs `body` with a fresh arena and releases it after.
    func withArena(_ body: (inout clua_arena) throws -> Void) rethrows {
        var arena = clua_arena()
        defer { clua_arena_release(&arena) }
        try body(&arena)
    }

    func fill(_ block: UnsafeMutableRawPointer, _ size: Int, _ seed: UInt8) {
        let bytes = block.assumingMemoryBound(to: UInt8.self)
        for i in 0..<size { bytes[i] = seed &+ UInt8(truncatingIfNeeded: i) }
    }

    func holds(_ block: UnsafeMutableRawPointer, _ size: Int, _ seed: UInt8) -> Bool {
        let bytes = block.assumingMemoryBound(to: UInt8.self)
        return (0..<size).allSatisfy { bytes[$0] == seed &+ UInt8(truncatingIfNeeded: $0) }
    }

    @Test func blocksOfEverySizeAreAlignedAndDoNotOverlap() throws {
        try withArena { arena in
            var blocks: [(UnsafeMutableRawPointer, Int, UInt8)] = []
            for round in 0..<40 {
                for size in stride(from: 1, through: 700, by: 13) {
                    let block = try #require(clua_arena_realloc(&arena, nil, 0, size))
                    #expect(Int(bitPattern: block) % 16 == 0)
                    let seed = UInt8(truncatingIfNeeded: round * 31 + size)
                    fill(block, size, seed)
                    blocks.append((block, size, seed))
                }
            }
            // Every block still holds its own pattern: none was handed out twice.
            #expect(blocks.allSatisfy { holds($0.0, $0.1, $0.2) })
            #expect(arena.chunk_bytes > 0 && arena.chunk_bytes % (16 * 1024) == 0)
            for (block, size, _) in blocks { clua_arena_realloc(&arena, block, size, 0) }
        }
    }

    @Test func aFreedBlockServesTheNextRequestOfItsClass() throws {
        try withArena { arena in
            let a = try #require(clua_arena_realloc(&arena, nil, 0, 40))
            clua_arena_realloc(&arena, a, 40, 0)
            let b = try #require(clua_arena_realloc(&arena, nil, 0, 48))  // same 48-byte class
            #expect(a == b)
            let c = try #require(clua_arena_realloc(&arena, nil, 0, 49))  // the next class
            #expect(c != b)
        }
    }

    @Test func reallocationKeepsTheBytesAcrossEveryKindOfMove() throws {
        try withArena { arena in
            // Within a class, small to small, small to malloc, malloc to malloc, back to small.
            let sizes = [20, 30, 200, 500, 513, 4_000, 100_000, 3_000, 300, 17]
            var size = 10
            var block = try #require(clua_arena_realloc(&arena, nil, 0, size))
            fill(block, size, 7)
            for next in sizes {
                let before = block
                block = try #require(clua_arena_realloc(&arena, block, size, next))
                #expect(holds(block, min(size, next), 7), "\(size) -> \(next)")
                if (size + 15) / 16 == (next + 15) / 16 { #expect(block == before, "\(size) -> \(next) stays in place") }
                fill(block, next, 7)
                size = next
            }
            clua_arena_realloc(&arena, block, size, 0)
        }
    }

    @Test func releaseGivesBackEveryChunk() {
        var arena = clua_arena()
        for _ in 0..<5_000 { _ = clua_arena_realloc(&arena, nil, 0, 64) }
        #expect(arena.chunk_bytes >= 5_000 * 64)
        clua_arena_release(&arena)
        #expect(arena.chunk_bytes == 0)
        #expect(arena.chunks == nil)
    }

    @Test func aStateComputesTheSameThroughGrowingAndShrinkingBlocks() throws {
        // Tables and strings that grow across the small/large boundary and shrink back,
        // with garbage collected in between: every value read back is what was written.
        let lua = try LuaState(limits: .init(memoryBytes: 64 << 20, instructionsPerCall: 0))
        let work = """
            local t, s = {}, ""
            for i = 1, 3000 do
              t[i] = { i, tostring(i), string.rep(string.char(65 + i % 26), i % 900) }
              if i % 7 == 0 then s = s .. tostring(i) end
            end
            for i = 1, 3000, 2 do t[i] = nil end
            collectgarbage()
            local sum = 0
            for i = 2, 3000, 2 do
              local e = t[i]
              assert(e[1] == i and e[2] == tostring(i) and #e[3] == i % 900)
              assert(e[3] == string.rep(string.char(65 + i % 26), i % 900))
              sum = sum + e[1]
            end
            return sum .. ":" .. #s
            """
        let first = try lua.exec(work)
        for _ in 0..<5 { #expect(try lua.exec(work) == first) }
        #expect(first == "2251500:\(expectedLength())")
    }

    /// The length of the digits of every multiple of 7 up to 3,000, written out.
    func expectedLength() -> Int { stride(from: 7, through: 3_000, by: 7).reduce(0) { $0 + String($1).count } }
}
