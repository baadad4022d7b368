import Testing
@testable import Cluster

/// The aos libraries inside the real runtime (the standalone Lua tests use a
/// stand-in for the native digests; these use OpenSSL through starlane.native).
@Suite struct StdlibInRuntimeTests {
    @Test func sha256ComesFromTheNativeModule() throws {
        let p = try ProcessHarness("crypto = require('.crypto')")
        let out = p.eval("crypto.digest.sha2_256(crypto.utils.stream.fromString('abc')).asHex()")
        #expect(out.error == nil, "\(out.error ?? "")")
        #expect(out.output.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    @Test func bintAndUtilsAndBase64Load() throws {
        let p = try ProcessHarness("""
            bint = require('.bint')(256)
            utils = require('.utils')
            base64 = require('.base64')
            """)
        #expect(p.eval("tostring(bint.ipow(bint(2), bint(200)))").output.contains("1606938044258990275541962092341162602522202993782792835301376"))
        #expect(p.eval("table.concat(utils.map(function(x) return x * 2 end, {1, 2, 3}), ',')").output.contains("2,4,6"))
        #expect(p.eval("base64.decode(base64.encode('starlane'))").output.contains("starlane"))
    }

    @Test func librariesSurviveASnapshotRoundTrip() throws {
        let p = try ProcessHarness("""
            bint = require('.bint')(256)
            crypto = require('.crypto')
            Total = bint(0)
            Handlers.add('Add', 'Add', function(msg) Total = Total + bint(msg.Data) end)
            """, snapshotInterval: 1)
        p.send("Add", data: "123456789012345678901234567890")
        p.send("Add", data: "1")
        #expect(p.send("Boom", data: "x", tags: []).error == nil)
        let failing = p.eval("error('rollback me')")
        #expect(failing.error != nil)
        #expect(p.eval("tostring(Total)").output.contains("123456789012345678901234567891"))
        #expect(p.eval("crypto.digest.sha2_256(crypto.utils.stream.fromString('')).asHex()").output
            .contains("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }
}
