/// Guesses the delimiter from the first lines: the candidate that splits them most consistently
/// into more than one field wins; a tie keeps the comma.
enum DialectSniffer {
    static let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]

    static func delimiter(in bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let sample = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 65_536)])
        var best: (delimiter: UInt8, score: Int) = (0x2C, 0)
        for candidate in candidates {
            var counts: [Int] = []
            var fields = 1
            var inQuotes = false
            for b in sample {
                if b == 0x22 { inQuotes.toggle() } else if !inQuotes {
                    if b == candidate { fields += 1 } else if b == 0x0A || b == 0x0D {
                        if fields > 0 { counts.append(fields) }
                        fields = 1
                        if counts.count >= 60 { break }
                    }
                }
            }
            let multi = counts.filter { $0 > 1 }
            guard !multi.isEmpty else { continue }
            var frequency: [Int: Int] = [:]
            for count in multi { frequency[count, default: 0] += 1 }
            let modal = frequency.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }!
            let score = modal.value * 100 + min(modal.key, 99)
            if score > best.score { best = (candidate, score) }
        }
        return best.delimiter
    }
}
