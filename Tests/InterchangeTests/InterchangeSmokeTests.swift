import Testing
@testable import Interchange

@Suite struct InterchangeSmokeTests {
    @Test func targetLinks() {
        #expect(String(describing: Interchange.self) == "Interchange")
    }
}
