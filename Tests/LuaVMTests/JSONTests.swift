import Foundation
import Testing
@testable import LuaVM

/// The native json module: deterministic encoding, strict decoding, clear errors.
@Suite struct JSONTests {
    let lua = try! LuaState()

    func encode(_ expression: String) throws -> String? {
        try lua.exec("return json.encode(\(expression))")
    }

    @Test func objectsAreWrittenWithSortedKeys() throws {
        #expect(try encode("{ zeta = 1, alpha = 2, Mid = 3, ['10'] = 4 }") == #"{"10":4,"Mid":3,"alpha":2,"zeta":1}"#)
    }

    @Test func keyOrderDoesNotDependOnInsertionOrder() throws {
        let a = try lua.exec("local t = {} for i = 1, 50 do t['k' .. i] = i end return json.encode(t)")
        let b = try lua.exec("local t = {} for i = 50, 1, -1 do t['k' .. i] = i end return json.encode(t)")
        #expect(a == b)
    }

    @Test func sequencesAreArraysAndTheEmptyTableIsAnArray() throws {
        #expect(try encode("{ 1, 'two', true, { 3 } }") == #"[1,"two",true,[3]]"#)
        #expect(try encode("{}") == "[]")
        #expect(try encode("{ [1] = 'a', [3] = 'c' }") == #"{"1":"a","3":"c"}"#)
    }

    @Test func numbersKeepTheirKind() throws {
        #expect(try encode("{ 1, 1.5, 3.0, -0.25, 1e300, 2^63 }") == "[1,1.5,3.0,-0.25,1e+300,9.223372036854776e+18]")
        #expect(try encode("0.1") == "0.1")
        #expect(try lua.exec("return math.type(json.decode('3'))") == "integer")
        #expect(try lua.exec("return math.type(json.decode('3.0'))") == "float")
        #expect(try lua.exec("return json.decode('1e2')") == "100.0")
    }

    @Test func stringsAreEscaped() throws {
        #expect(try encode(#"'a"b\\c\n\t\1'"#) == #""a\"b\\c\n\t\u0001""#)
        #expect(try encode("'héllo ☃'") == "\"héllo ☃\"")
        #expect(try encode("'\\255'") == #""\u00ff""#)
    }

    @Test func decodeRoundTripsNestedValues() throws {
        let text = #"{"a":[1,2,{"b":null,"c":"d\u00e9\ud83d\ude00"}],"e":false}"#
        #expect(try lua.exec("return json.decode([[\(text)]]).a[3].c") == "dé😀")
        #expect(try lua.exec("return json.encode(json.decode([[\(text)]]))") == #"{"a":[1,2,{"c":"dé😀"}],"e":false}"#)
    }

    @Test(arguments: [
        ("{", "expected a string key"),
        ("[1, 2", "unterminated array"),
        ("[1,]", "unexpected character"),
        ("{\"a\" 1}", "expected ':'"),
        ("[1] x", "trailing characters"),
        ("\"abc", "unterminated string"),
        ("01", "leading zero"),
        ("\"\\x\"", "invalid escape"),
        ("\"\\ud800\"", "unpaired surrogate"),
        ("nul", "unexpected character"),
    ])
    func malformedInputGetsAClearError(input: String, expected: String) throws {
        let escaped = input.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        let error = #expect(throws: LuaError.self) { try lua.exec("return json.decode('\(escaped)')") }
        #expect(error?.summary.contains("json: ") == true)
        #expect(error?.summary.contains(expected) == true, "\(error?.summary ?? "")")
        #expect(error?.summary.contains("line 1, column") == true)
    }

    @Test func unencodableValuesAreRefused() throws {
        #expect(throws: LuaError.self) { try encode("function() end") }
        #expect(throws: LuaError.self) { try encode("0/0") }
        #expect(throws: LuaError.self) { try encode("{ [true] = 1 }") }
        #expect(throws: LuaError.self) { try encode("{ [1] = 'a', ['1'] = 'b', x = 1 }") }
        let cycle = #expect(throws: LuaError.self) { try lua.exec("local t = {} t.t = t return json.encode(t)") }
        #expect(cycle?.summary.contains("deeper than") == true)
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000)
        let error = #expect(throws: LuaError.self) { try lua.exec("return json.decode('\(deep)')") }
        #expect(error?.summary.contains("nesting too deep") == true)
    }
}
