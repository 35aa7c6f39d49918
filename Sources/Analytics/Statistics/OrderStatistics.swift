/// In-place selection of order statistics (quickselect with median-of-three pivots).
///
/// After `select(ranks:in:)` every requested rank `k` holds the value a full sort would put
/// there, and everything before it is `<=` and everything after `>=`. Selecting several ranks
/// recurses into the two sides of each found rank, so quartiles cost about two passes instead
/// of an O(n log n) sort. Hoare partitioning keeps long runs of equal values (integer columns,
/// prices) from degrading to quadratic time.
public enum OrderStatistics {
    public static func select(ranks: [Int], in buffer: UnsafeMutableBufferPointer<Double>) {
        let wanted = Array(Set(ranks.filter { $0 >= 0 && $0 < buffer.count })).sorted()
        guard !wanted.isEmpty else { return }
        selectMany(wanted[...], buffer, 0, buffer.count - 1)
    }

    private static func selectMany(
        _ ranks: ArraySlice<Int>, _ a: UnsafeMutableBufferPointer<Double>, _ lo: Int, _ hi: Int
    ) {
        guard !ranks.isEmpty, lo <= hi else { return }
        let midIndex = ranks.startIndex + ranks.count / 2
        let k = ranks[midIndex]
        selectOne(k, a, lo, hi)
        selectMany(ranks[ranks.startIndex..<midIndex], a, lo, k - 1)
        selectMany(ranks[(midIndex + 1)...], a, k + 1, hi)
    }

    /// Places the k-th smallest value of `a[lo...hi]` at index k.
    static func selectOne(_ k: Int, _ a: UnsafeMutableBufferPointer<Double>, _ lo0: Int, _ hi0: Int) {
        var lo = lo0
        var hi = hi0
        while hi > lo {
            if hi - lo < 24 {
                insertionSort(a, lo, hi)
                return
            }
            let mid = lo + (hi - lo) / 2
            let x = a[lo], y = a[mid], z = a[hi]
            let pivot = max(min(x, y), min(max(x, y), z))
            var i = lo
            var j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return
            }
        }
    }

    private static func insertionSort(_ a: UnsafeMutableBufferPointer<Double>, _ lo: Int, _ hi: Int) {
        guard hi > lo else { return }
        for i in (lo + 1)...hi {
            let v = a[i]
            var j = i - 1
            while j >= lo && a[j] > v {
                a[j + 1] = a[j]
                j -= 1
            }
            a[j + 1] = v
        }
    }
}
