import Foundation

/// Distinct byte strings numbered in the order they are first seen: dictionary-encodes a
/// category column by hashing each cell's bytes in place, so only distinct values ever become
/// `String`s. Open addressing over a power-of-two table.
struct ByteDictionary: Sendable {
    private var bytes: [UInt8] = []
    /// Entry `k` is `bytes[offsets[k]..<offsets[k + 1]]`.
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Per entry shorter than eight bytes, its bytes as one little-endian number (0 for longer
    /// ones): most category values are short, and are then compared as one integer.
    private var shortKeys: [UInt64] = []
    /// Code + 1 per slot; 0 is empty.
    private var slots = [UInt32](repeating: 0, count: 64)

    var count: Int { hashes.count }

    /// The code of `value`, adding it if new; nil when it is new and `limit` entries exist already.
    mutating func code(of value: UnsafeBufferPointer<UInt8>, limit: Int) -> UInt32? {
        let n = value.count
        let short = n < 8
        let key = short ? Self.shortKey(value) : 0
        // For fewer than eight bytes this is `bytesHash` written out: the same number.
        let hash = short ? RowHasher.mix(0xCBF2_9CE4_8422_2325 ^ UInt64(n), key) : RowHasher.bytesHash(UnsafeRawBufferPointer(value))
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let code = Int(slots[slot] - 1)
            if hashes[code] == hash {
                if short {
                    if shortKeys[code] == key && offsets[code + 1] - offsets[code] == n { return UInt32(code) }
                } else if entryEquals(code, value) {
                    return UInt32(code)
                }
            }
            slot = (slot + 1) & mask
        }
        guard count < limit else { return nil }
        let code = count
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        hashes.append(hash)
        shortKeys.append(key)
        slots[slot] = UInt32(code + 1)
        if count * 2 > slots.count { grow() }
        return UInt32(code)
    }

    /// The bytes of a value shorter than eight bytes as one little-endian number, read four,
    /// two and one at a time (as `RowHasher.bytesHash` reads its tail).
    @inline(__always)
    static func shortKey(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = value.count
        guard n > 0, let base = value.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var key: UInt64 = 0, shift: UInt64 = 0, i = 0
        if n & 4 != 0 {
            key = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            shift = 32
            i = 4
        }
        if n & 2 != 0 {
            key |= UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt16.self))) << shift
            shift += 16
            i += 2
        }
        if n & 1 != 0 { key |= UInt64(value[i]) << shift }
        return key
    }

    private func entryEquals(_ code: Int, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[code], end = offsets[code + 1]
        guard end - start == value.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            value.count == 0 || memcmp(all.baseAddress! + start, value.baseAddress!, value.count) == 0
        }
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for code in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(code + 1)
        }
    }

    /// Calls `body` with entry `code`'s bytes.
    func withEntry<R>(_ code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offsets[code]..<offsets[code + 1]])) }
    }

    /// The entries as strings, in code order.
    var strings: [String] { (0..<count).map { withEntry($0) { String(decoding: $0, as: UTF8.self) } } }
}
