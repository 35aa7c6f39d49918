import Analytics
import Testing
@testable import LuminaServer

/// Cleaning computed ahead (while an upload's raw rows are stored) gives what cleaning later would,
/// and keeps every progress step, in order, until someone publishes them.
@Suite("cleaning computed ahead") struct CleaningPreparationTests {
    static var messy: Table {
        let n = 300
        return Table(columns: [
            Column(name: "region", values: (0..<n).map { ["north", " North", "south", nil][$0 % 4] }),
            Column(name: "units", values: (0..<n).map { $0 % 7 == 0 ? nil : "\($0 % 50)" }),
            Column(name: "note", values: (0..<n).map { "row \($0 % 150)" }),
        ], rowCount: n)
    }

    @Test func theResultMatchesCleaningNowAndTheStepsWaitInOrder() async throws {
        let table = Self.messy
        let prepared = CleaningPreparation.start(table, options: CleaningOptions())
        let computed = try await prepared.computed.value
        prepared.sink.finish()
        var steps: [(String, Int)] = []
        for await step in prepared.events { steps.append(step) }

        let now = Cleaner().clean(table)
        #expect(computed.result.table == now.table)
        #expect(computed.result.report.rowsAfter == now.report.rowsAfter)
        #expect(computed.profile == Profiler().profile(now.table))
        #expect(steps.first?.0 == "Reading the raw file...")
        #expect(steps.last.map { [$0.1] } == [80])
        #expect(Cleaner.stepNames.allSatisfy { name in steps.contains { $0.0 == name } })
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.1 <= $1.1 })
    }
}
