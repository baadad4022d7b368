import Testing

@Test func HTTPTestsPlaceholderBuilds() { #expect(Bool(true)) }
