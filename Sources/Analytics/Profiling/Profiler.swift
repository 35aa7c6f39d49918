/// Builds a `DatasetProfile`: one pass per column over typed arrays plus one row-hash pass for
/// duplicates.
public struct Profiler: Sendable {
    /// How many most-frequent values each column reports.
    public var topValueCount = 10
    /// Upper bound on histogram bins (chart readability).
    public var maximumBins = 30

    public init() {}

    public func profile(_ table: Table) -> DatasetProfile {
        DatasetProfile(
            rowCount: table.rowCount, columnCount: table.columns.count,
            duplicateRows: Deduplicator.firstOccurrences(table).duplicates,
            memoryBytes: table.columns.reduce(0) { $0 + MemoryFootprint.bytes($1) },
            columns: Parallel.map(table.columns, parallel: Parallel.worthIt(rows: table.rowCount)) { self.profile($0) })
    }

    public func profile(_ column: Column) -> ColumnProfile {
        var p = ColumnProfile(
            name: column.name, type: column.type, count: column.count, nulls: column.validity.nullCount,
            distinct: 0, topValues: [], isIdentifier: IdentifierDetector.isIdentifier(column))
        if p.isIdentifier {
            // Checked distinct already; counting again would only confirm every value is unique.
            p.distinct = column.count
        } else {
            countValues(column, into: &p)
        }
        if let values = ColumnValues.validDoubles(column) {
            addNumeric(values, into: &p)
        } else if let days = ColumnValues.days(column) {
            let valid = days.filter { $0 != ColumnValues.missingDay }.map(Double.init)
            if let q = Quantiles.of(valid, [0, 1]) {
                p.min = .string(CivilDate(days: Int(q[0])).isoString)
                p.max = .string(CivilDate(days: Int(q[1])).isoString)
            }
        }
        return p
    }

    private func addNumeric(_ values: [Double], into p: inout ColumnProfile) {
        guard !values.isEmpty else { return }
        p.mean = Descriptive.mean(values)
        p.std = Descriptive.standardDeviation(values)
        p.skewness = Descriptive.skewness(values)
        let levels = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]
        guard let q = Quantiles.of(values, levels) else { return }
        var deviations = [Double](repeating: 0, count: values.count)
        var absSum = 0.0
        for i in values.indices {
            let d = abs(values[i] - q[3])
            deviations[i] = d
            absSum += d
        }
        p.mad = Quantiles.of(deviations, [0.5])?.first
        p.meanAbsoluteDeviation = absSum / Double(values.count)
        p.min = .number(q[0])
        p.max = .number(q[6])
        p.median = q[3]
        p.quantiles = ["p05": q[1], "p25": q[2], "p50": q[3], "p75": q[4], "p95": q[5]]
        let bins = Swift.min(p.distinct, Histogram.suggestedBinCount(
            count: values.count, iqr: q[4] - q[2], range: q[6] - q[0], maximum: maximumBins))
        p.histogram = Histogram(values, binCount: Swift.max(1, bins))
    }

    /// Distinct count and top values, from category codes directly or a `ValueCounter`.
    private func countValues(_ column: Column, into p: inout ColumnProfile) {
        let validity = column.validity
        let all = validity.nullCount == 0
        if case .category(let codes, let dictionary) = column.storage {
            let counts = CategoryRemapper.codeCounts(codes, validity: validity, dictionarySize: dictionary.count)
            p.distinct = counts.filter { $0 > 0 }.count
            p.topValues = counts.indices.filter { counts[$0] > 0 }
                .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : dictionary[$0] < dictionary[$1] }
                .prefix(topValueCount).map { .init(value: dictionary[$0], count: counts[$0]) }
            return
        }
        // Presize from the first rows: if they are mostly distinct, the whole column likely is,
        // and growing the table step by step would rehash it a dozen times.
        let probe = min(column.count, 4096)
        var sample = ValueCounter()
        for i in 0..<probe { if let h = Self.textHash(column, row: i) { sample.add(h, row: i) } }
        var counter = ValueCounter(expected: sample.distinct * 2 > probe ? column.count : 0)
        func feed<T>(_ a: [T], _ key: (T) -> UInt64) {
            a.withUnsafeBufferPointer { v in
                for i in 0..<v.count where all || validity[i] { counter.add(key(v[i]), row: i) }
            }
        }
        switch column.storage {
        case .integer(let a): feed(a) { UInt64(bitPattern: $0) }
        case .float(let a): feed(a) { ($0 == 0 ? 0.0 : $0).bitPattern }
        case .boolean(let a): feed(a) { $0 ? 1 : 0 }
        case .date(let a): feed(a) { UInt64(bitPattern: Int64($0)) }
        case .datetime(let a): feed(a) { UInt64(bitPattern: $0) }
        case .text:
            for i in 0..<column.count { if let h = Self.textHash(column, row: i) { counter.add(h, row: i) } }
        case .category: break
        }
        p.distinct = counter.distinct
        // Top values only say something when values repeat.
        guard p.distinct < column.count - column.validity.nullCount else { return }
        p.topValues = counter.top(topValueCount).filter { $0.count > 1 }.map {
            .init(value: Self.display(column, row: $0.row), count: $0.count)
        }
    }

    /// The hash of a cell's display string; for text cells straight from their bytes.
    static func textHash(_ column: Column, row: Int) -> UInt64? {
        guard column.isValid(row) else { return nil }
        if case .text(let text) = column.storage { return text.withValue(row) { RowHasher.bytesHash(UnsafeRawBufferPointer($0)) } }
        return column.string(at: row).map(RowHasher.stringHash)
    }

    static func display(_ column: Column, row: Int) -> String {
        switch column.storage {
        case .date(let a): return CivilDate(days: Int(a[row])).isoString
        case .float(let a): return NumberFormatting.compact(a[row])
        default: return column.string(at: row) ?? ""
        }
    }
}

/// Approximate bytes a column occupies in memory, for the dataset profile.
enum MemoryFootprint {
    static func bytes(_ column: Column) -> Int {
        let bitmap = (column.count + 7) / 8
        switch column.storage {
        case .integer(let a): return bitmap + a.count * 8
        case .float(let a): return bitmap + a.count * 8
        case .boolean(let a): return bitmap + a.count
        case .date(let a): return bitmap + a.count * 4
        case .datetime(let a): return bitmap + a.count * 8
        case .category(let codes, let dictionary):
            return bitmap + codes.count * 4 + dictionary.reduce(0) { $0 + $1.utf8.count + 16 }
        case .text(let text):
            var total = bitmap + column.count * 8
            for i in 0..<column.count where column.isValid(i) { total += text.byteCount(i) }
            return total
        }
    }
}
