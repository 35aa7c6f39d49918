// libFuzzer entry point for the CSV reader and type inference, compiled together with the
// Analytics sources by scripts/fuzz-csv.sh (not part of the Swift package).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var options = CSVReadOptions()
    options.maxExpandedBytes = 16 << 20
    options.maxColumns = 2_000
    if let result = try? CSVDatasetReader.read(data: bytes, options: options) {
        // Every column must be as long as the table, and every cell must render.
        for column in result.table.columns {
            precondition(column.count == result.table.rowCount, "column length differs from the row count")
            for row in 0..<min(column.count, 64) { _ = column.string(at: row) }
        }
    }
    return 0
}
