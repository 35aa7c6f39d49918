import Foundation

/// Writes a synthetic messy sales CSV shaped like the reference generator's (same columns and
/// kinds of mess, planted trend, correlation, anomalies, duplicates and gaps), from a seeded RNG,
/// so `lumina-bench --generate N` needs no Python. Its numbers are not the reference files'; use
/// the files from gen_csv.py to compare with expected_detections.json.
struct SalesGenerator {
    var rows: Int
    var seed: UInt64 = 42

    private struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func normal() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    static let products: [(String, Double)] = [
        ("Widget", 24.99), ("Gadget", 34.50), ("Gizmo", 29.00), ("Doohickey", 19.95), ("Sprocket", 27.25),
        ("Flange", 31.80), ("Bracket", 22.40), ("Valve", 38.00), ("Gear", 26.75), ("Spring", 21.10),
        ("Bolt Pack", 18.60), ("Hinge", 23.90),
    ]
    static let regions = ["North", "South", "East", "West", "Central"]
    static let notes = [
        "Delivered on time", "Gift wrap, no invoice", "Customer wrote \"urgent\"",
        "Line one of note\nline two of note", "  Paid by card ", "Split shipment, 2 parcels",
    ]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func write(to url: URL) throws {
        var rng = Random(state: seed)
        let duplicates = rows / 20
        let unique = rows - duplicates
        let startDay = 18993  // 2022-01-01
        var lines: [String] = []
        lines.reserveCapacity(unique)
        for i in 0..<unique {
            let day = i * 1096 / unique
            let t = Double(day) / 1095
            let product = rng.pick(Self.products)
            // Units: a skewed count whose mean grows 60% over the span.
            let mean = 10 * (1 + 0.6 * t)
            let units = max(1, Int((mean * exp(0.45 * rng.normal() - 0.1)).rounded()))
            var priceCents = Int((product.1 * (1 + (rng.uniform() - 0.5) * 0.16) * 100).rounded())
            let discount = rng.pick([0, 0, 5, 10, 12, 15, 20])
            var revenueCents = Int((Double(units * priceCents) * (1 - Double(discount) / 100)).rounded())
            let roll = rng.uniform()
            if roll < 0.001 { revenueCents = 250_000 + Int(rng.next() % 150_000) }
            else if roll < 0.0013 { priceCents *= 100 }
            let fields: [String?] = [
                String(100_001 + i),
                dateText(startDay + day, &rng),
                regionText(&rng),
                product.0,
                String(units),
                money(priceCents, fancy: rng.uniform() < 0.25),
                rng.uniform() < 0.1 ? String(format: "%.2f", Double(discount) / 100) : "\(discount)%",
                money(revenueCents, fancy: false),
                String(min(80, max(18, Int((42 + 12 * rng.normal()).rounded())))),
                rng.pick(rng.uniform() < 0.35 ? ["yes", "true", "1", "Y", "TRUE"] : ["no", "false", "0", "N", "FALSE"]),
                rng.pick(Self.notes),
            ]
            let cells = fields.enumerated().map { k, v -> String in
                guard let v, k == 0 || rng.uniform() >= 0.03 else { return "" }
                return v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                    ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
            }
            lines.append(cells.joined(separator: ","))
        }
        // Each duplicated row appears twice, the copy a little later in the file.
        var placement: [(key: Double, line: Int)] = (0..<unique).map { (Double($0), $0) }
        for _ in 0..<duplicates {
            let source = Int(rng.next() % UInt64(unique))
            placement.append((Double(source) + 0.01 + rng.uniform() * 2000, source))
        }
        placement.sort { $0.key < $1.key }
        let output = placement.map { lines[$0.line] }
        let header = "order_id,order_date,region,product,units,unit_price,discount,revenue,customer_age,is_returning,notes"
        try ([header] + output).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
    }

    private func dateText(_ days: Int, _ rng: inout Random) -> String {
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let r = rng.uniform()
        if r < 0.5 { return String(format: "%04d-%02d-%02d", y, m, d) }
        if r < 0.7 { return String(format: "%02d/%02d/%04d", m, d, y) }
        if r < 0.85 { return String(format: "%@ %02d, %04d", Self.months[m - 1], d, y) }
        let s = Int(rng.next() % 86_400)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, s / 3600, s / 60 % 60, s % 60)
    }

    private func regionText(_ rng: inout Random) -> String {
        var r = rng.pick(Self.regions)
        let style = rng.uniform()
        if style < 0.15 { r = r.lowercased() } else if style < 0.2 { r = r.uppercased() }
        let pad = rng.uniform()
        return pad < 0.05 ? " " + r : (pad < 0.1 ? r + "  " : r)
    }

    private func money(_ cents: Int, fancy: Bool) -> String {
        let dollars = cents / 100, frac = String(format: "%02d", cents % 100)
        guard fancy else { return "\(dollars).\(frac)" }
        let grouped = dollars >= 1000 ? "\(dollars / 1000),\(String(format: "%03d", dollars % 1000))" : "\(dollars)"
        return "$\(grouped).\(frac)"
    }
}
