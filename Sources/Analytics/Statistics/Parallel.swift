import Dispatch
import Foundation

/// Runs independent pieces of analysis (one per column, one per rule group) on all cores.
///
/// The machine this serves on has few cores and the work items are coarse (each scans a whole
/// column), so a plain `concurrentPerform` over the items is enough; results land in their own
/// slots under a lock. Small inputs run inline: spinning up workers costs more than it saves.
enum Parallel {
    /// `body` applied to every element, in order, using every core when `parallel` is true.
    static func map<T: Sendable, R: Sendable>(_ items: [T], parallel: Bool = true, _ body: @Sendable (T) -> R) -> [R] {
        guard parallel, items.count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else { return items.map(body) }
        let slots = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            slots.set(i, body(items[i]))
        }
        return slots.values()
    }

    /// `body` applied to every element where it lies (each worker changes only its own element),
    /// returning its results in order. Cleaning rebuilds columns this way: a column handed over
    /// by its only owner is changed without copying it, and a replaced column is freed at once.
    static func update<T, R: Sendable>(_ items: inout [T], parallel: Bool = true, _ body: @Sendable (inout T) -> R) -> [R] {
        guard parallel, items.count > 1, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            return items.indices.map { body(&items[$0]) }
        }
        return items.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedRows(base: buffer.baseAddress!, count: buffer.count)
            let slots = Slots<R>(count: shared.count)
            DispatchQueue.concurrentPerform(iterations: shared.count) { i in
                slots.set(i, body(&shared.base[i]))
            }
            return slots.values()
        }
    }

    /// Runs `body` over row ranges that split `0..<array.count` in two, at the same time, each
    /// writing only its own rows of `array` (hence safe without locks); returns both results.
    static func halves<T, R: Sendable>(
        _ array: inout [T], _ body: @Sendable (Range<Int>, UnsafeMutableBufferPointer<T>) -> R
    ) -> [R] {
        let n = array.count
        return array.withUnsafeMutableBufferPointer { buffer in
            guard worthIt(rows: n), let base = buffer.baseAddress else { return [body(0..<n, buffer)] }
            let shared = SharedRows(base: base, count: n)
            return map([0..<(n / 2), (n / 2)..<n]) { range in
                body(range, UnsafeMutableBufferPointer(start: shared.base, count: shared.count))
            }
        }
    }

    /// Whether a table is large enough for parallel work to pay off.
    static func worthIt(rows: Int) -> Bool { rows >= 50_000 }
}

/// Result slots written from several threads; every access holds the lock.
private final class Slots<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [R?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: R) {
        lock.lock()
        storage[i] = value
        lock.unlock()
    }

    func values() -> [R] {
        lock.lock()
        defer { lock.unlock() }
        return storage.map { $0! }
    }
}

/// A row buffer handed to the two halves of `Parallel.halves`; each half touches only its rows.
private struct SharedRows<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    let count: Int
}
