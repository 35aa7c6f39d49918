import Analytics

/// Collects one column's stored cells back into Analytics storage.
///
/// Null cells get the same filler the CSV reader leaves under a null (zero, false, empty text,
/// category code 0), and categories are numbered in order of first appearance like the reader's
/// dictionary, so a table read straight from a CSV comes back equal to what was stored.
struct ColumnRebuilder {
    let name: String
    let type: ColumnType
    private var valid: [Bool] = []
    private var integers: [Int64] = []
    private var floats: [Double] = []
    private var booleans: [Bool] = []
    private var strings: [String] = []
    private var codes: [UInt32] = []
    private var dictionary: [String] = []
    private var codeOf: [String: UInt32] = [:]

    init(name: String, type: ColumnType, capacity: Int) {
        self.name = name
        self.type = type
        valid.reserveCapacity(capacity)
        switch type {
        case .integer, .date, .datetime: integers.reserveCapacity(capacity)
        case .float: floats.reserveCapacity(capacity)
        case .boolean: booleans.reserveCapacity(capacity)
        case .category: codes.reserveCapacity(capacity)
        case .text: strings.reserveCapacity(capacity)
        }
    }

    /// Appends a cell; false when it does not fit the column's type.
    mutating func append(_ cell: StoredCell) -> Bool {
        switch (cell, type) {
        case (.null, _): appendNull()
        case (.integer(let v), .integer), (.integer(let v), .date), (.integer(let v), .datetime): integers.append(v)
        case (.float(let v), .float): floats.append(v)
        case (.boolean(let v), .boolean): booleans.append(v)
        case (.text(let v), .text): strings.append(v)
        case (.text(let v), .category):
            if let code = codeOf[v] {
                codes.append(code)
            } else {
                let code = UInt32(dictionary.count)
                dictionary.append(v)
                codeOf[v] = code
                codes.append(code)
            }
        default: return false
        }
        valid.append(cell.isPresent)
        return true
    }

    private mutating func appendNull() {
        switch type {
        case .integer, .date, .datetime: integers.append(0)
        case .float: floats.append(0)
        case .boolean: booleans.append(false)
        case .category: codes.append(0)
        case .text: strings.append("")
        }
    }

    func finish() -> Column {
        var validity = ValidityBitmap(count: valid.count)
        for (row, present) in valid.enumerated() where !present { validity[row] = false }
        let storage: ColumnStorage = switch type {
        case .integer: .integer(integers)
        case .float: .float(floats)
        case .boolean: .boolean(booleans)
        case .date: .date(integers.map { Int32(truncatingIfNeeded: $0) })
        case .datetime: .datetime(integers)
        case .category: .category(codes: codes, dictionary: dictionary)
        case .text: .text(TextStorage(strings))
        }
        return Column(name: name, type: type, storage: storage, validity: validity)
    }
}

extension StoredCell {
    var isPresent: Bool { if case .null = self { false } else { true } }
}
