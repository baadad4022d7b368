import Foundation
import Testing
@testable import Terminal

/// A temporary directory of Lua files.
final class LuaFiles {
    let directory: URL

    init(_ files: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("starlane-bundle-\(UUID().uuidString)")
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

struct LuaBundlerTests {
    @Test func aLocalRequireIsInlinedAsAPreloadFunctionBeforeTheMainChunk() throws {
        let files = try LuaFiles([
            "main.lua": "local util = require(\"util\")\nprint(util.double(2))\n",
            "util.lua": "return { double = function(x) return 2 * x end }",
        ])
        let bundle = try LuaBundler().bundle(file: files.path("main.lua"))
        #expect(bundle.modules.map(\.name) == ["util"])
        let preload = try #require(bundle.text.range(of: "package.preload[\"util\"] = function(...)\nreturn { double"))
        let reset = try #require(bundle.text.range(of: "package.loaded[\"util\"] = nil\n"))
        let main = try #require(bundle.text.range(of: "local util = require(\"util\")"))
        #expect(reset.upperBound <= preload.lowerBound && preload.upperBound < main.lowerBound)
        // The module's last line had no newline: `end` must still be on a line of its own.
        #expect(bundle.text.contains("* x end }\nend\n"))
    }

    @Test func nestedRequiresAreBundledDependenciesFirstAndOnlyOnce() throws {
        let files = try LuaFiles([
            "main.lua": "require 'a'\nrequire('lib.b')\n",
            "a.lua": "local b = require \"lib.b\"\nreturn {}\n",
            "lib/b/init.lua": "local c = require('lib.c')\nreturn c\n",
            "lib/c.lua": "return 3\n",
        ])
        let bundle = try LuaBundler().bundle(file: files.path("main.lua"))
        // lib/b/init.lua finds lib.c from the root, not from lib/b/.
        #expect(bundle.modules.map(\.name) == ["lib.c", "lib.b", "a"])
        #expect(bundle.modules[1].path.hasSuffix("lib/b/init.lua"))
    }

    @Test func aRequireCycleIsAnErrorThatNamesTheChain() throws {
        let files = try LuaFiles([
            "main.lua": "require('a')\n",
            "a.lua": "require('b')\nreturn 1\n",
            "b.lua": "\n\nrequire('a')\nreturn 2\n",
        ])
        #expect {
            try LuaBundler().bundle(file: files.path("main.lua"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("require cycle: a → b → a") && text.contains("b.lua:3")
        }
    }

    @Test func aMissingModuleNamesTheRequiringFileAndLine() throws {
        let files = try LuaFiles(["main.lua": "local json = require('json')\n-- require('ghost') in a comment\nlocal g = require(\"ghost\")\n"])
        var message = ""
        do { _ = try LuaBundler().bundle(file: files.path("main.lua")) } catch { message = error.description }
        #expect(message.contains("main.lua:3: require(\"ghost\")"), "\(message)")
        #expect(message.contains("ghost.lua") && message.contains("ghost/init.lua"))
    }

    @Test func aMissingMainFileIsNamed() {
        #expect(throws: LuaBundler.BundleError(description: "cannot read /nonexistent/x.lua")) {
            try LuaBundler().bundle(file: "/nonexistent/x.lua")
        }
    }

    @Test func runtimeModulesAndRequiresInsideStringsOrCommentsAreLeftToTheProcess() throws {
        let source = """
            local json = require('json')
            local utils = require(".utils")
            local s = "require('nope')"
            --[[ require('nope2') ]]
            local t = [==[ require "nope3" ]==]
            local x = obj.require('nope4')
            local m = require(name)
            local y = require "yes"
            """
        #expect(LuaBundler.requires(in: source).map(\.name) == ["json", ".utils", "yes"])
        #expect(LuaBundler.requires(in: source).last?.line == 8)
    }

    @Test func aFileWithNoRequiresIsSentAsIs() throws {
        let files = try LuaFiles(["solo.lua": "X = 1\n"])
        let bundle = try LuaBundler().bundle(file: files.path("solo.lua"))
        #expect(bundle.modules.isEmpty)
        #expect(bundle.text == "-- .load solo.lua\nX = 1\n")
    }
}
