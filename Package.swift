// swift-tools-version:6.0
import PackageDescription

// Layers follow docs/ARCHITECTURE.md (and DESIGN.md): C maps at the bottom, then
// LuaVM (one sandboxed lua_State), then Cluster (AO processes), then the executable.
let package = Package(
    name: "Starlane",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "starlane", targets: ["Starlane"]),
        .library(name: "LuaVM", targets: ["LuaVM"]),
        .library(name: "Cluster", targets: ["Cluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // System libraries (Debian -dev packages), each a module map plus static inline shims.
        .systemLibrary(name: "CLua", path: "Sources/CLua"),
        .systemLibrary(name: "CUV", path: "Sources/CUV"),
        .systemLibrary(name: "CHTTPParser", path: "Sources/CHTTPParser"),
        .systemLibrary(name: "CCurses", path: "Sources/CCurses"),

        // C code that runs under lua_pcall: the sandbox, json, ordered pairs, persist.
        // Lua errors longjmp, so everything that can raise lives here, never in Swift.
        .target(
            name: "CLuaNatives",
            dependencies: ["CLua"],
            cSettings: [.unsafeFlags(["-O2", "-Wall"])],
            linkerSettings: [.linkedLibrary("lua5.4"), .linkedLibrary("crypto")]
        ),
        .target(name: "LuaVM", dependencies: ["CLua", "CLuaNatives"]),
        .target(name: "EventLoop", dependencies: ["CUV"]),
        .target(
            name: "Ledger",
            dependencies: [
                "Identity",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Cluster",
            dependencies: [
                "LuaVM", "Ledger", "EventLoop", "Identity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            resources: [.copy("Prelude")]
        ),
        // HTTP/1.1 on the event loop: one parser type (http-parser today), server, client, SSE.
        .target(name: "HTTP", dependencies: ["EventLoop", "CHTTPParser"]),
        // Client keys, addresses and the signed-message format, shared by Gateway and Client.
        .target(name: "Identity", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Gateway",
            dependencies: [
                "HTTP", "Identity", "Cluster", "Ledger", "EventLoop",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "Client", dependencies: ["HTTP", "Identity", "EventLoop"]),
        // The people's side: the aos-like shell and the terminal game client (ncurses).
        .target(name: "Terminal", dependencies: ["Client", "HTTP", "Identity", "CCurses"]),
        // Bots scripted in Lua, run from outside the server as clients (docs/BOTS.md).
        .target(name: "Bots", dependencies: ["LuaVM", "Client", "HTTP", "Identity"]),
        // The game's host side: bundling GameLogic/ into modules, maps, starting a world.
        .target(name: "Game", dependencies: ["Cluster", "LuaVM"]),
        .executableTarget(
            name: "Starlane",
            dependencies: [
                "LuaVM", "Cluster", "Ledger", "EventLoop", "HTTP", "Identity", "Gateway", "Client", "Game", "Terminal", "Bots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LuaVMTests", dependencies: ["LuaVM"]),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Identity"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "LuaVM", "Ledger"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "EventLoop"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Client", "Identity", "HTTP", "Cluster", "Ledger"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Client", "Gateway", "Cluster", "Identity"]),
        .testTarget(name: "BotsTests", dependencies: ["Bots", "Game", "Gateway", "Client", "Cluster", "LuaVM", "Identity"]),
        .testTarget(name: "GameLogicTests", dependencies: ["Game", "Cluster", "Ledger", "LuaVM"]),
        .testTarget(name: "StarlaneTests", dependencies: ["Cluster", "Identity", "Client", "HTTP"]),
    ]
)
