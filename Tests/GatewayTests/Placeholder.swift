import Testing

@Test func GatewayTestsPlaceholderBuilds() { #expect(Bool(true)) }
