import Foundation

/// Turns the bytes of a file into UTF-8, deciding the encoding from byte-order marks, the pattern of
/// NUL bytes that UTF-16 leaves in ASCII text, and UTF-8 validity (else Windows-1252).
enum TextDecoder {
    /// How to read `bytes` as UTF-8: from `skip` on as they are (`converted` nil), or converted.
    struct Decoded {
        var converted: [UInt8]?
        var skip: Int
        var encoding: TextEncoding
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, releaser: PageReleaser = .off) throws(CSVError) -> Decoded {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            return Decoded(converted: nil, skip: 3, encoding: .utf8BOM)
        }
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE { return Decoded(converted: utf16(bytes, from: 2, bigEndian: false), skip: 0, encoding: .utf16LE) }
        if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF { return Decoded(converted: utf16(bytes, from: 2, bigEndian: true), skip: 0, encoding: .utf16BE) }
        let sample = UnsafeBufferPointer(rebasing: bytes.prefix(4096))
        if sample.count >= 4 {
            var evenZeros = 0, oddZeros = 0
            for (i, byte) in sample.enumerated() where byte == 0 { if i % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 } }
            let half = sample.count / 2
            if oddZeros > half * 7 / 10 && evenZeros < half / 10 { return Decoded(converted: utf16(bytes, from: 0, bigEndian: false), skip: 0, encoding: .utf16LE) }
            if evenZeros > half * 7 / 10 && oddZeros < half / 10 { return Decoded(converted: utf16(bytes, from: 0, bigEndian: true), skip: 0, encoding: .utf16BE) }
        }
        try rejectBinary(bytes)
        if isValidUTF8(bytes, releaser: releaser) { return Decoded(converted: nil, skip: 0, encoding: .utf8) }
        return Decoded(converted: windows1252(bytes), skip: 0, encoding: .windows1252)
    }

    /// Refuses images, archives and other binaries early with a message people understand.
    static func rejectBinary(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        let signatures: [([UInt8], String)] = [([0x89, 0x50, 0x4E, 0x47], "a PNG image"), ([0xFF, 0xD8, 0xFF], "a JPEG image"),
                                               ([0x47, 0x49, 0x46, 0x38], "a GIF image"), ([0x25, 0x50, 0x44, 0x46], "a PDF document"),
                                               ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive (Excel files are ZIP archives)")]
        for (magic, name) in signatures where bytes.starts(with: magic) { throw .notText(reason: "it is \(name)") }
        let sample = bytes.prefix(65_536)
        let controls = sample.reduce(0) { $0 + ($1 < 0x09 || ($1 > 0x0D && $1 < 0x20) ? 1 : 0) }
        if controls * 20 > sample.count { throw .notText(reason: "it is full of control bytes") }
    }

    /// Whether `buffer` is valid UTF-8, checked on all cores at once for large files: the parts are
    /// split just before a byte that starts a character (no continuation byte), so a sequence cut
    /// at a split is invalid in its part exactly when it is invalid in the whole. Validated pages
    /// are handed to `releaser` as each part goes.
    static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>, releaser: PageReleaser = .off) -> Bool {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard buffer.count > 4 << 20, cores > 1 else { return isValidUTF8(buffer, 0..<buffer.count, releaser: releaser) }
        var splits = [0]
        for k in 1..<cores {
            var s = max(splits[k - 1], buffer.count * k / cores)
            while s < buffer.count && buffer[s] & 0xC0 == 0x80 { s += 1 }
            splits.append(s)
        }
        splits.append(buffer.count)
        let shared = SharedBytes(bytes: buffer), bounds = splits
        return Parallel.map(Array(0..<cores)) { k in
            isValidUTF8(shared.bytes, bounds[k]..<bounds[k + 1], releaser: releaser)
        }.allSatisfy { $0 }
    }

    /// The file's bytes, shared read-only by the threads that validate its parts.
    private struct SharedBytes: @unchecked Sendable {
        let bytes: UnsafeBufferPointer<UInt8>
    }

    /// Whether `range` of `buffer` is valid UTF-8 on its own. Skips ASCII thirty-two bytes at a
    /// time (one test of four words or-ed together), then eight: most files are almost all ASCII.
    static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, releaser: PageReleaser = .off) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = range.lowerBound
        let n = range.upperBound
        var released = i
        let high: UInt64 = 0x8080_8080_8080_8080
        while i < n {
            let stop = min(n, i + PageReleaser.step)
            while i < stop {
                if i + 32 <= n {
                    let words = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                        | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                    if words & high == 0 { i += 32; continue }
                }
                if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 { i += 8; continue }
                let b = buffer[i]
                if b < 0x80 { i += 1; continue }
                let length: Int
                if b & 0xE0 == 0xC0 && b >= 0xC2 { length = 2 } else if b & 0xF0 == 0xE0 { length = 3 } else if b & 0xF8 == 0xF0 && b <= 0xF4 { length = 4 } else { return false }
                guard i + length <= n else { return false }
                for k in 1..<length where buffer[i + k] & 0xC0 != 0x80 { return false }
                i += length
            }
            releaser.release(buffer, released..<min(i, n))
            released = min(i, n)
        }
        return true
    }

    private static func utf16(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, bigEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity((bytes.count - start) / 2)
        var i = start
        while i + 1 < bytes.count {
            units.append(bigEndian ? UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) : UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i]))
            i += 2
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// Windows-1252 is a superset of Latin-1 in the printable range, so it reads both.
    private static func windows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let high: [UInt32] = [0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                              0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178]
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value: UInt32 = (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return Array(String(scalars).utf8)
    }
}
