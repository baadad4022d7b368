import Testing
@testable import Bots
