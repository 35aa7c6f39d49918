import Foundation
import Testing
@testable import Analytics

/// The bucket-refinement selector must agree exactly with sorting, whatever the data's shape.
struct StatisticsSelectionTests {
    func check(_ values: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let sorted = values.sorted()
        let ps = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]
        let got = Quantiles.of(values, ps)
        let expected = ps.map { Quantiles.ofSorted(sorted, $0)! }
        #expect(got == expected, sourceLocation: sourceLocation)
    }

    @Test func largeSamplesMatchSortedQuantilesExactly() {
        var rng = SeededRandom(seed: 99)
        let n = 60_000
        check((0..<n).map { _ in rng.normal(mean: 100, sd: 15) })
        check((0..<n).map { _ in Double(rng.next() % 60) })
        check((0..<n).map { _ in [0, 0.05, 0.1, 0.25][Int(rng.next() % 4)] })
        var spiky = (0..<n).map { _ in rng.uniform() }
        spiky[17] = 1e300
        spiky[18] = -1e300
        check(spiky)
        check((0..<n).map { _ in exp(rng.normal(sd: 3)) })
        check([Double](repeating: 4.25, count: n))
    }
}
