/// A set of row indices, one bit per row of a table.
///
/// Cleaning remembers which rows survive deduplication and which cells trimming or respelling
/// changed; as bits that costs 125 KB per million rows, where a list of `Int` row numbers costs
/// 8 MB. Iterating yields the members in ascending order.
struct RowSet: Sequence, Sendable, Equatable {
    private var words: [UInt64]
    /// Rows the set can hold (`0..<rows`).
    let rows: Int
    /// Members.
    private(set) var count: Int

    /// An empty set, or every row when `all` is true.
    init(rows: Int, all: Bool = false) {
        self.rows = rows
        count = all ? rows : 0
        words = [UInt64](repeating: all ? ~0 : 0, count: (rows + 63) / 64)
        if all, rows % 64 != 0 { words[words.count - 1] = (1 << UInt64(rows % 64)) - 1 }
    }

    @inline(__always)
    func contains(_ row: Int) -> Bool { words[row >> 6] & (1 << UInt64(row & 63)) != 0 }

    @inline(__always)
    mutating func insert(_ row: Int) {
        let mask: UInt64 = 1 << UInt64(row & 63)
        if words[row >> 6] & mask == 0 {
            words[row >> 6] |= mask
            count += 1
        }
    }

    @inline(__always)
    mutating func remove(_ row: Int) {
        let mask: UInt64 = 1 << UInt64(row & 63)
        if words[row >> 6] & mask != 0 {
            words[row >> 6] &= ~mask
            count -= 1
        }
    }

    mutating func formUnion(_ other: RowSet) {
        precondition(other.rows == rows, "row sets of different tables")
        var total = 0
        for i in words.indices {
            words[i] |= other.words[i]
            total += words[i].nonzeroBitCount
        }
        count = total
    }

    /// Members of both sets, counted without building the intersection.
    func intersectionCount(_ other: RowSet) -> Int {
        precondition(other.rows == rows, "row sets of different tables")
        var total = 0
        for i in words.indices { total += (words[i] & other.words[i]).nonzeroBitCount }
        return total
    }

    var underestimatedCount: Int { count }

    /// Calls `body` with every maximal run of consecutive members, in ascending order: rebuilding
    /// a column for the rows that survive deduplication (nearly all of them) then copies whole
    /// runs of values instead of one value per row.
    func forEachRun(_ body: (Range<Int>) -> Void) {
        var pendingStart = -1, pendingEnd = -1
        words.withUnsafeBufferPointer { words in
            for k in 0..<words.count {
                var w = words[k]
                let base = k << 6
                while w != 0 {
                    let start = w.trailingZeroBitCount
                    // Ones from `start` up: the run's length within this word.
                    let length = (~(w >> UInt64(start))).trailingZeroBitCount
                    let runStart = base + start, runEnd = runStart + length
                    if runStart == pendingEnd {
                        pendingEnd = runEnd
                    } else {
                        if pendingStart >= 0 { body(pendingStart..<pendingEnd) }
                        pendingStart = runStart
                        pendingEnd = runEnd
                    }
                    w = start + length >= 64 ? 0 : w & ~(((1 << UInt64(length)) - 1) << UInt64(start))
                }
            }
        }
        if pendingStart >= 0 { body(pendingStart..<pendingEnd) }
    }

    func makeIterator() -> Iterator { Iterator(words: words) }

    /// Walks the set bits word by word, so sparse and dense sets both cost one step per member.
    struct Iterator: IteratorProtocol {
        let words: [UInt64]
        var index = 0
        var current: UInt64

        init(words: [UInt64]) {
            self.words = words
            current = words.first ?? 0
        }

        @inline(__always)
        mutating func next() -> Int? {
            while current == 0 {
                index += 1
                guard index < words.count else { return nil }
                current = words[index]
            }
            let bit = current.trailingZeroBitCount
            current &= current - 1
            return index << 6 | bit
        }
    }
}
