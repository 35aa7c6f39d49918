import Foundation
import Testing
@testable import Analytics

struct ProfilingTests {
    @Test func profilesNumericColumnsWithTheSharedDefinitions() throws {
        var rng = SeededRandom(seed: 9)
        let values: [Double?] = (0..<501).map { i in i % 50 == 0 ? nil : (rng.normal(mean: 50, sd: 5) * 100).rounded() / 100 }
        let p = Profiler().profile(TestColumns.float("x", values))
        let valid = values.compactMap { $0 }
        #expect(p.count == 501 && p.nulls == 11)
        #expect(p.mean == Descriptive.mean(valid))
        #expect(p.std == Descriptive.standardDeviation(valid))
        #expect(p.median == Quantiles.median(valid))
        #expect(p.quantiles?["p25"] == Quantiles.of(valid, [0.25])?.first)
        #expect(p.min == .number(valid.min()!) && p.max == .number(valid.max()!))
        #expect(p.distinct == Set(valid).count)
        #expect(p.histogram?.counts.reduce(0, +) == valid.count)
    }

    @Test func countsCategoriesAndTopValues() {
        let p = Profiler().profile(TestColumns.category("c", ["a", "b", "a", nil, "c", "a", "b"]))
        #expect(p.distinct == 3)
        #expect(p.topValues == [.init(value: "a", count: 3), .init(value: "b", count: 2), .init(value: "c", count: 1)])
    }

    @Test func profilesTheDataset() throws {
        let table = TestColumns.table([
            TestColumns.integer("id", [1, 2, 2, 3]),
            TestColumns.text("t", ["x", "y", "y", nil]),
            TestColumns.date("d", [19000, 19001, 19001, 19400]),
        ])
        let profile = Profiler().profile(table)
        #expect(profile.duplicateRows == 1)
        #expect(profile.memoryBytes > 0)
        #expect(profile.column(named: "t")?.distinct == 2)
        #expect(profile.column(named: "d")?.min == .string("2022-01-08"))
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(profile)) as? [String: Any])
        #expect(Set(json.keys) == ["row_count", "column_count", "duplicate_rows", "memory_bytes", "columns"])
    }
}
