import Testing
@testable import EventLoop

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a throwing step inside a callback, recording a failure instead of
/// crashing: loop callbacks cannot throw.
func attempt(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
    } catch {
        Issue.record(error, sourceLocation: sourceLocation)
    }
}

/// The calling thread, to check that callbacks run on the loop's thread.
func currentThread() -> pthread_t { pthread_self() }

func sameThread(_ a: pthread_t, _ b: pthread_t) -> Bool { pthread_equal(a, b) != 0 }
