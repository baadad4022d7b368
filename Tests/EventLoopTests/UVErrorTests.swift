import Testing
@testable import EventLoop

@Suite struct UVErrorTests {
    @Test func anErrorNamesItsCodeAndTheOperation() {
        let error = UVError(code: .connectionRefused, operation: "connect to 127.0.0.1:1")
        #expect(error.name == "ECONNREFUSED")
        #expect(error.message == "connection refused")
        #expect(error.description == "connect to 127.0.0.1:1 failed: ECONNREFUSED (connection refused)")
    }

    @Test func unknownCodesStillDescribeThemselves() {
        let error = UVError(code: .init(rawValue: -987_654), operation: "test")
        #expect(error.name.contains("987654"))
    }
}
