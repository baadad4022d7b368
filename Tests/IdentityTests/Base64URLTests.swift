import Foundation
import Identity
import Testing

/// The hand-written encoder against Foundation's base64 with the url alphabet.
@Suite struct Base64URLTests {
    @Test func encodesEveryLengthAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == reference, "length \(length)")
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test func knownVectors() {
        #expect(Base64URL.encode(Array("".utf8)) == "")
        #expect(Base64URL.encode(Array("f".utf8)) == "Zg")
        #expect(Base64URL.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64URL.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64URL.encode([0xfb, 0xff, 0xfe]) == "-__-")
    }
}
