import Foundation
import Identity
import Testing

@Suite struct SignedMessageTests {
    /// The key of docs/PROTOCOL.md's worked example: seed bytes 0, 1, …, 31.
    let exampleKey = try! ClientKey(privateKey: (0..<32).map { UInt8($0) })

    func example() -> SignedMessage {
        SignedMessage(kind: .push, target: "t6Q9Ae7pm9cO9Xo5Xx8aUj0X9B2oVqhr5YJcb3AmG0U", nonce: "1",
                      tags: [.init("Action", "Say"), .init("Text", "hi ☄")], data: "{\"n\":1}")
    }

    @Test func signedMessageVerifiesAndNamesItsSigner() throws {
        var message = example()
        try exampleKey.sign(&message)
        #expect(try message.verify() == exampleKey.address)
        #expect(exampleKey.address.count == 43)
    }

    @Test func signingBytesAreTheDocumentedNetstrings() throws {
        var message = example()
        message.key = "K"
        let text = String(decoding: message.signingBytes(), as: UTF8.self)
        #expect(text == "starlane-message/1\n4:push,43:t6Q9Ae7pm9cO9Xo5Xx8aUj0X9B2oVqhr5YJcb3AmG0U,1:K,1:1,1:2,6:Action,3:Say,4:Text,6:hi ☄,7:{\"n\":1},")
    }

    /// docs/PROTOCOL.md prints these values; the Python client test checks the same.
    @Test func workedExampleIsStable() throws {
        var message = example()
        try exampleKey.sign(&message)
        #expect(message.key == "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg")
        #expect(exampleKey.address == Address.of(publicKey: exampleKey.publicKey))
        #expect(exampleKey.address == "Vkdap1RjR0wChd9dvyvKtz2mUTWIOem3dIGy6rEHcIw")
        #expect(message.id == "fpm6p5fYdf7F-km0hZAF6m1mbCmGvZ8NiuqZjjIh-lE")
        #expect(message.signature == "lQGSfehfTOXXwExGFun4m9NyAhrjbBJnmcx4KNHXYORVBjfQm5ZjTN8HDdItkQnBkaPGiPgCgHvgL1XedglpCw")
    }

    @Test(arguments: ["target", "nonce", "tag", "data", "kind", "key"])
    func anyChangeBreaksTheSignature(_ field: String) throws {
        var message = example()
        try exampleKey.sign(&message)
        switch field {
        case "target": message.target = "x" + message.target.dropFirst()
        case "nonce": message.nonce = "2"
        case "tag": message.tags[1].value = "hi"
        case "data": message.data = "{\"n\":2}"
        case "kind": message.kind = .spawn
        default: message.key = Base64URL.encode(ClientKey().publicKey)
        }
        #expect(throws: IdentityError.self) { try message.verify() }
    }

    @Test func malformedKeyAndSignatureAreNamed() throws {
        var message = example()
        try exampleKey.sign(&message)
        var noKey = message
        noKey.key = "abc"
        #expect { try noKey.verify() } throws: { "\($0)".contains("32 bytes") }
        var shortSignature = message
        shortSignature.signature = String(message.signature.prefix(40))
        #expect { try shortSignature.verify() } throws: { "\($0)".contains("64 bytes") }
    }

    @Test(arguments: ["From", "owner", "hash_chain", "Slot", "from-process"])
    func reservedTagsAreRefused(_ name: String) throws {
        var message = example()
        message.tags.append(.init(name, "x"))
        try exampleKey.sign(&message)
        #expect { try message.verify() } throws: { "\($0)".contains("set by the node") }
    }

    /// Reserved names in any case, `_` for `-`, and the non-ASCII spelling that
    /// Foundation lowercases into one (KELVIN SIGN → k); near misses pass.
    @Test func reservedNamesAreRecognisedInEveryForm() throws {
        for name in ["FROM-PROCESS", "Block_Height", "hash-CHAIN", "Bloc\u{212A}-Height", "NONCE", "from_module"] {
            var message = example()
            message.tags.append(.init(name, "x"))
            #expect(throws: IdentityError.self, "\(name)") { try message.validate() }
        }
        for name in ["Fromage", "Slots", "Action", "Owner-Name", "Ünicode", "block-height-2"] {
            var message = example()
            message.tags.append(.init(name, "x"))
            #expect(throws: Never.self, "\(name)") { try message.validate() }
        }
    }

    @Test func limitsAreEnforced() throws {
        var limits = MessageLimits()
        limits.maxTags = 2
        limits.maxDataBytes = 4
        var message = example()
        message.tags.append(.init("Third", "x"))
        #expect(throws: IdentityError.self) { try message.validate(limits: limits) }
        message = example()
        #expect { try message.validate(limits: limits) } throws: { "\($0)".contains("data is 7 bytes") }
        message.nonce = "has space"
        #expect { try message.validate() } throws: { "\($0)".contains("nonce") }
        message.nonce = "ok"
        message.tags = [.init("Bad Name", "x")]
        #expect { try message.validate() } throws: { "\($0)".contains("without spaces") }
    }

    @Test func idDependsOnSignerSoNobodyCanClaimAnothersMessage() throws {
        var mine = example()
        try exampleKey.sign(&mine)
        var theirs = example()
        try ClientKey().sign(&theirs)
        #expect(mine.id != theirs.id)
        #expect(mine.id.count == 43)
    }
}

@Suite struct KeyFileTests {
    func temporaryPath() -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("starlane-key-\(UUID().uuidString)/key.json")
    }

    @Test func keyRoundTripsThroughItsFile() throws {
        let path = temporaryPath()
        let (key, created) = try KeyFile.loadOrCreate(path)
        #expect(created)
        let again = try KeyFile.load(path)
        #expect(again.address == key.address)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let (third, createdAgain) = try KeyFile.loadOrCreate(path)
        #expect(!createdAgain && third.address == key.address)
    }

    @Test func aBareFileNameIsWrittenInTheCurrentDirectory() throws {
        let directory = (temporaryPath() as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        try KeyFile.save(ClientKey(), to: "bare.json")
        #expect(FileManager.default.fileExists(atPath: directory + "/bare.json"))
    }

    @Test func existingKeyIsNeverOverwritten() throws {
        let path = temporaryPath()
        try KeyFile.save(ClientKey(), to: path)
        #expect { try KeyFile.save(ClientKey(), to: path) } throws: { "\($0)".contains("not overwriting") }
    }

    @Test func tamperedOrMissingFilesAreRefusedClearly() throws {
        let path = temporaryPath()
        #expect { try KeyFile.load(path) } throws: { "\($0)".contains("starlane keygen") }
        try KeyFile.save(ClientKey(), to: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let other = ClientKey().address
        let address = try KeyFile.load(path).address
        text = text.replacingOccurrences(of: address, with: other)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try KeyFile.load(path) } throws: { "\($0)".contains("does not match") }
    }
}
