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

    /// The hand-written decoder against Foundation's (the decoder it replaced), on
    /// valid, padded, non-canonical and broken text.
    @Test func decodesAsFoundationDid() {
        func reference(_ text: String) -> [UInt8]? {
            var text = Substring(text)
            while text.hasSuffix("=") { text = text.dropLast() }
            guard text.utf8.allSatisfy({ Base64URL.isAlphabet($0) }) else { return nil }
            var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            switch standard.utf8.count % 4 {
            case 0: break
            case 2: standard += "=="
            case 3: standard += "="
            default: return nil
            }
            return Data(base64Encoded: standard).map { [UInt8]($0) }
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var samples = ["", "=", "==", "A", "AB", "AB==", "ABC", "ABC=", "AB=C", "A===", "QR", "QQ", "QUJ", "+/", "ab cd", "é", "Zm9v\n"]
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            samples.append(String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self))
            let noisy = (0..<length).map { _ in UInt8.random(in: 32...126, using: &generator) }
            samples.append(String(decoding: noisy, as: UTF8.self))
        }
        for text in samples {
            #expect(Base64URL.decode(text) == reference(text), "\(text)")
        }
    }
}
