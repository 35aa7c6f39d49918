import Foundation
@testable import Analytics

/// Seeded SplitMix64, so generated datasets are the same on every run and platform.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal by Box-Muller.
    mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// Builds typed columns for tests; `nil` elements are empty cells.
enum TestColumns {
    static func validity<T>(_ values: [T?]) -> ValidityBitmap {
        var v = ValidityBitmap(count: values.count, allValid: true)
        for (i, x) in values.enumerated() where x == nil { v[i] = false }
        return v
    }

    static func integer(_ name: String, _ values: [Int64?]) -> Column {
        Column(name: name, type: .integer, storage: .integer(values.map { $0 ?? 0 }), validity: validity(values))
    }

    static func float(_ name: String, _ values: [Double?]) -> Column {
        Column(name: name, type: .float, storage: .float(values.map { $0 ?? 0 }), validity: validity(values))
    }

    static func boolean(_ name: String, _ values: [Bool?]) -> Column {
        Column(name: name, type: .boolean, storage: .boolean(values.map { $0 ?? false }), validity: validity(values))
    }

    static func date(_ name: String, _ values: [Int32?]) -> Column {
        Column(name: name, type: .date, storage: .date(values.map { $0 ?? 0 }), validity: validity(values))
    }

    static func category(_ name: String, _ values: [String?]) -> Column {
        var dictionary: [String] = []
        var index: [String: UInt32] = [:]
        let codes = values.map { v -> UInt32 in
            guard let v else { return 0 }
            if let c = index[v] { return c }
            index[v] = UInt32(dictionary.count)
            dictionary.append(v)
            return UInt32(dictionary.count - 1)
        }
        if dictionary.isEmpty { dictionary = [""] }
        return Column(name: name, type: .category, storage: .category(codes: codes, dictionary: dictionary), validity: validity(values))
    }

    static func text(_ name: String, _ values: [String?]) -> Column {
        Column(name: name, type: .text, storage: .text(TextStorage(values.map { $0 ?? "" })), validity: validity(values))
    }

    static func table(_ columns: [Column]) -> Table {
        Table(columns: columns, rowCount: columns.first?.count ?? 0)
    }

    /// Days since 1970 of 2023-01-01.
    static let jan2023: Int32 = 19358
}

/// A sales-like table with optional planted signals.
struct SyntheticSales {
    var rows = 3000
    var days: Int32 = 540
    var seed: UInt64 = 7
    var trend = 0.0            // relative growth of units over the span
    var correlated = false     // revenue = units × price (else independent noise)
    var anomalies = 0          // revenue cells replaced by ×25 values
    var levelShiftDay: Int32?  // units +60% from this day on
    var weekly = false         // units higher at weekends

    func make() -> Table {
        var rng = SeededRandom(seed: seed)
        var date: [Int32?] = [], units: [Double?] = [], revenue: [Double?] = [], age: [Double?] = [], region: [String?] = []
        let regions = ["North", "South", "East", "West"]
        // Random days (not evenly spread rows), so rows per day carry no artificial rhythm.
        let dayOfRow = (0..<rows).map { _ in Int32(rng.next() % UInt64(days)) }.sorted()
        for i in 0..<rows {
            let d = dayOfRow[i]
            let t = Double(d) / Double(days)
            var level = 20 * (1 + trend * t)
            if let shift = levelShiftDay, d >= shift { level *= 1.6 }
            if weekly && (Int(TestColumns.jan2023 + d) + 3) % 7 >= 5 { level *= 1.8 }
            let u = max(1, level + rng.normal(sd: 3))
            let r = correlated ? u * 25 * (1 + rng.normal(sd: 0.05)) : 500 + rng.normal(sd: 80)
            date.append(TestColumns.jan2023 + d)
            units.append(u.rounded())
            revenue.append((r * 100).rounded() / 100)
            age.append(40 + rng.normal(sd: 10))
            region.append(regions[Int(rng.next() % 4)])
        }
        for k in 0..<anomalies {
            let row = (k * 7919 + 13) % rows
            revenue[row] = (revenue[row] ?? 500) * 25
        }
        return TestColumns.table([
            TestColumns.date("order_date", date), TestColumns.float("units", units),
            TestColumns.float("revenue", revenue), TestColumns.float("customer_age", age),
            TestColumns.category("region", region),
        ])
    }
}
