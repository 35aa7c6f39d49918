import Foundation
import Testing
@testable import Analytics

/// A first row that is not really a header is flagged, so the user checks the column names.
struct HeaderCheckTests {
    @Test func irisMetadataRowIsFlagged() throws {
        // scikit-learn's iris.csv starts with `150,4,setosa,versicolor,virginica`.
        let result = try SharedData.read("real/sklearn-iris.csv")
        let warning = try #require(result.warnings.first { $0.code == "header_looks_like_data" })
        #expect(warning.samples == ["150", "4"])
        #expect(warning.message.contains("2 of them are numbers (150, 4)"))
        #expect(result.table.rowCount == 150)
    }

    @Test func aHeaderlessNumericFileIsFlagged() throws {
        let csv = "3.5,12,7\n" + (0..<40).map { "\(Double($0) / 4),\($0 * 3),\($0 % 5)" }.joined(separator: "\n")
        let result = try CSVDatasetReader.read(data: Array(csv.utf8))
        let warning = try #require(result.warnings.first { $0.code == "header_looks_like_data" })
        #expect(warning.samples == ["3.5", "12", "7"])
    }

    @Test func yearsAndNamesAreNotFlagged() throws {
        // Years heading the columns of a wide table are names.
        let fertility = try SharedData.read("real/statsmodels-fertility.csv")
        #expect(!fertility.warnings.contains { $0.code == "header_looks_like_data" })
        let stocks = try SharedData.read("real/vega-stocks.csv")
        #expect(!stocks.warnings.contains { $0.code == "header_looks_like_data" })
        // A number over a text column is a name too.
        let csv = "id,2\n" + (0..<10).map { "\($0),x\($0)" }.joined(separator: "\n")
        #expect(try !CSVDatasetReader.read(data: Array(csv.utf8)).warnings.contains { $0.code == "header_looks_like_data" })
    }
}
