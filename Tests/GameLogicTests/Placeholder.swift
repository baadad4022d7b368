import Testing

@Test func GameLogicTestsPlaceholderBuilds() { #expect(Bool(true)) }
