/// Counts occurrences of 64-bit value keys in an open-addressing table.
///
/// Profiling needs distinct counts and most frequent values for a million-row column in a few
/// milliseconds; `Dictionary<Int64, Int>` costs several times more per insert. Keys are bit
/// patterns (integers, doubles, dates) or FNV hashes of text; each slot also remembers the first
/// row holding its key so text values can be shown.
struct ValueCounter {
    private var keys: [UInt64]
    private var counts: [Int32]
    private var firstRows: [Int32]
    private var mask: Int
    private(set) var distinct = 0

    /// Starts small, so low-cardinality columns stay in cache, and doubles at three-quarters
    /// load: a column of ten million distinct values then needs 2^24 slots (268 MB), not 2^25.
    init(expected: Int = 0) {
        var capacity = 1024
        while capacity * 3 < 4 * expected { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        counts = [Int32](repeating: 0, count: capacity)
        firstRows = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// Adds one occurrence; returns whether the key was new.
    @inline(__always) @discardableResult
    mutating func add(_ key: UInt64, row: Int) -> Bool {
        var slot = Int(truncatingIfNeeded: RowHasher.mix(0, key)) & mask
        while counts[slot] != 0 {
            if keys[slot] == key {
                counts[slot] += 1
                return false
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        counts[slot] = 1
        firstRows[slot] = Int32(truncatingIfNeeded: row)
        distinct += 1
        if 4 * distinct > 3 * mask { grow() }
        return true
    }

    private mutating func grow() {
        let old = (keys, counts, firstRows)
        let capacity = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: capacity)
        counts = [Int32](repeating: 0, count: capacity)
        firstRows = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        for slot in old.1.indices where old.1[slot] != 0 {
            var s = Int(truncatingIfNeeded: RowHasher.mix(0, old.0[slot])) & mask
            while counts[s] != 0 { s = (s + 1) & mask }
            keys[s] = old.0[slot]
            counts[s] = old.1[slot]
            firstRows[s] = old.2[slot]
        }
    }

    /// The `limit` most frequent keys (ties: earlier first row), as (key, count, first row).
    func top(_ limit: Int) -> [(key: UInt64, count: Int, row: Int)] {
        var best: [(key: UInt64, count: Int, row: Int)] = []
        for slot in 0...mask where counts[slot] > 0 {
            let entry = (key: keys[slot], count: Int(counts[slot]), row: Int(firstRows[slot]))
            if best.count == limit, let last = best.last, !Self.before(entry, last) { continue }
            let at = best.firstIndex { Self.before(entry, $0) } ?? best.count
            best.insert(entry, at: at)
            if best.count > limit { best.removeLast() }
        }
        return best
    }

    private static func before(_ a: (key: UInt64, count: Int, row: Int), _ b: (key: UInt64, count: Int, row: Int)) -> Bool {
        a.count != b.count ? a.count > b.count : a.row < b.row
    }
}
