import Foundation
import Testing
@testable import Analytics

/// Long-format tables (`symbol,date,price`: one series per symbol) are judged series by series:
/// pooled, they yield trends from the cheapest symbol's first dates to the dearest one's last and
/// "jumps" where a dear symbol joins.
struct LongFormatInsightTests {
    /// Monthly prices of three symbols over ten years: A flat around 20, B flat around 200 and
    /// joining after three years, C rising 60% over its span. Every series is noise around its own line.
    static func prices(seed: UInt64 = 5) -> Table {
        var rng = SeededRandom(seed: seed)
        var symbol: [String?] = [], date: [Int32?] = [], price: [Double?] = []
        for month in 0..<120 {
            let day = Int32(CivilDate(year: 2010 + month / 12, month: month % 12 + 1, day: 1).days)
            for (name, level) in [("A", 20.0), ("B", 200.0), ("C", 50 * (1 + 0.6 * Double(month) / 119))] {
                if name == "B" && month < 36 { continue }
                symbol.append(name)
                date.append(day)
                price.append(((level + rng.normal(sd: level * 0.02)) * 100).rounded() / 100)
            }
        }
        return TestColumns.table([TestColumns.category("symbol", symbol), TestColumns.date("date", date), TestColumns.float("price", price)])
    }

    @Test func eachSymbolIsItsOwnSeries() throws {
        let analysis = InsightDetector().analyze(Self.prices())
        let titles = analysis.insights.map(\.title)
        // Nothing about "price" pooled over symbols.
        #expect(!titles.contains { $0.hasPrefix("Price rose") || $0.hasPrefix("Price fell") || $0.hasPrefix("Price jumped") }, "\(titles)")
        let trend = try #require(analysis.insights.first { $0.kind == .trend })
        #expect(trend.title.hasPrefix("Price of C rose"), "\(trend.title)")
        #expect(trend.title.contains("from Jan 2010 to Dec 2019"))
        #expect(trend.columns == ["price", "date", "symbol"])
        #expect(trend.data["series"] == ["column": "symbol", "value": "C"])
        let percent = try #require(trend.data["pct_change"]?.number)
        #expect(abs(percent - 60) < 5, "planted +60%, measured \(percent)")
        // The flat series say nothing: no trend, no jump when B joins, no anomaly in B's high prices.
        #expect(analysis.insights.filter { $0.kind == .trend }.count == 1, "\(titles)")
        #expect(!analysis.insights.contains { $0.kind == .changePoint || $0.kind == .anomaly }, "\(titles)")
        #expect(Set(analysis.trends.keys) == ["price|A", "price|B", "price|C"])
        #expect(analysis.anomalies["price"]?["series_column"] == "symbol")
    }

    @Test func aPlantedTypoIsFoundWithinItsSeries() throws {
        var table = Self.prices()
        guard case .float(var values) = table.columns[2].storage else { Issue.record("price is not float"); return }
        // An A price typed ten times too large: ordinary next to B's prices, absurd for A.
        let row = try #require((0..<table.rowCount).first { i in
            if case .category(let codes, let dictionary) = table.columns[0].storage { return dictionary[Int(codes[i])] == "A" && i > 200 }
            return false
        })
        values[row] *= 10
        table.columns[2].storage = .float(values)
        let analysis = InsightDetector().analyze(table)
        let anomaly = try #require(analysis.insights.first { $0.kind == .anomaly })
        #expect(anomaly.title == "Price has 1 unusual value within its symbol series (robust z > 3.5)", "\(anomaly.title)")
        #expect(anomaly.description.contains("in A ("), "\(anomaly.description)")
    }

    @Test func aCategoryThatIsADimensionDoesNotSplit() {
        // Regions of a sales table: many rows per region and day, so region is no series key.
        let sales = SyntheticSales(trend: 0.5).make()
        #expect(InsightContext(table: sales, profile: nil, options: InsightOptions()).split == nil)
        // One row per date: the date alone identifies rows, so a category beside it is no series key either.
        var rng = SeededRandom(seed: 3)
        let daily = TestColumns.table([
            TestColumns.date("day", (0..<300).map { TestColumns.jan2023 + Int32($0) }),
            TestColumns.category("weekday", (0..<300).map { ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][$0 % 7] }),
            TestColumns.float("visits", (0..<300).map { _ in 100 + rng.normal(sd: 5) }),
        ])
        #expect(InsightContext(table: daily, profile: nil, options: InsightOptions()).split == nil)
        #expect(InsightContext(table: Self.prices(), profile: nil, options: InsightOptions()).split?.column == "symbol")
    }

    @Test func stockPricesAreJudgedPerSymbol() throws {
        let table = try SharedData.read("real/vega-stocks.csv").table
        let insights = InsightDetector().detect(table)
        let titles = insights.map(\.title)
        #expect(!titles.contains { $0.hasPrefix("Price rose") || $0.hasPrefix("Price jumped") }, "\(titles)")
        // Google's shares (listed from August 2004) more than doubled by March 2010.
        let google = try #require(insights.first { $0.kind == .trend && $0.title.hasPrefix("Price of GOOG rose") }, "\(titles)")
        #expect(google.title.contains("from Aug 2004 to Mar 2010"))
    }

    @Test func renewablesRiseFromASmallBase() throws {
        // Iowa's net generation by source, 2001–2017 (17 rows per source). Renewables grew from a
        // small base, so the fitted line starts below zero: the rise is told in units, not percent.
        let table = try SharedData.read("real/vega-iowa-electricity.csv").table
        let insights = InsightDetector().detect(table)
        let trends = insights.filter { $0.kind == .trend }
        #expect(trends.map(\.title) == ["Net generation of Renewables rose by 23,128 from Jan 2001 to Jan 2017 (p < 0.001)"],
                "\(insights.map(\.title))")
        #expect(trends.first?.data["pct_change"] == .null)
    }
}

/// Numbers that label things are no quantities to add up, trend or correlate.
struct CodeColumnTests {
    @Test func integerCodesAreNotMeasures() {
        var rng = SeededRandom(seed: 9)
        let table = TestColumns.table([
            TestColumns.integer("Region Code", (0..<200).map { _ in [19, 150, 419, 2][Int(rng.next() % 4)] }),
            TestColumns.integer("customerID", (0..<200).map { Int64($0 % 50) }),
            TestColumns.float("amount", (0..<200).map { _ in 100 + rng.normal(sd: 10) }),
            TestColumns.integer("Number of items", (0..<200).map { _ in Int64(rng.next() % 9) }),
        ])
        let measures = InsightContext(table: table, profile: nil, options: InsightOptions()).measures.map(\.name)
        #expect(measures == ["amount", "Number of items"])
    }

    @Test func trendsThatFallBelowZeroAreToldInUnits() throws {
        // A never-negative quantity falling towards nothing: its fitted line ends below zero, so
        // "fell 140%" would be nonsense.
        var rng = SeededRandom(seed: 4)
        let days = (0..<400).map { TestColumns.jan2023 + Int32($0) }
        let depth = (0..<400).map { d in max(0, 40 - Double(d) * 0.12 + rng.normal(sd: 2)) }
        let table = TestColumns.table([TestColumns.date("day", days), TestColumns.float("snow_depth", depth)])
        let trend = try #require(InsightDetector().detect(table).first { $0.kind == .trend })
        #expect(trend.title.hasPrefix("Snow depth fell by "), "\(trend.title)")
        #expect(trend.data["pct_change"] == .null)
    }
}
