/// Cells that did not read as a candidate type: how many, the first few distinct spellings (to
/// recognise coded placeholders such as `T` for a trace of rain) and the first five with their line.
///
/// Logs of consecutive parts of a file merge into the log of the whole, in file order.
struct StrayLog: Sendable {
    var count = 0
    /// The first distinct stray spellings, up to four (more than three rules out a coded placeholder).
    var tokens: [[UInt8]] = []
    var samples: [(line: Int, value: String)] = []
    let tracksTokens: Bool

    init(tracksTokens: Bool) { self.tracksTokens = tracksTokens }

    /// Whether the samples (and tokens, when tracked) are complete: then only counting is left.
    /// Kept as a flag so the per-cell test reads one byte instead of two array counts.
    private var full = false

    @inline(__always)
    mutating func add(_ cell: UnsafeBufferPointer<UInt8>, line: Int) {
        count += 1
        // Past the first samples and tokens (every cell of a text column is a stray number) only counting is left.
        if !full { remember(cell, line: line) }
    }

    private mutating func remember(_ cell: UnsafeBufferPointer<UInt8>, line: Int) {
        if tracksTokens && tokens.count <= 3 && !tokens.contains(where: { $0.elementsEqual(cell) }) { tokens.append(Array(cell)) }
        if samples.count < 5 { samples.append((line, String(decoding: cell, as: UTF8.self))) }
        updateFull()
    }

    private mutating func updateFull() {
        full = samples.count >= 5 && (!tracksTokens || tokens.count > 3)
    }

    /// Appends the log of the part of the file that follows this one.
    mutating func append(_ later: StrayLog) {
        count += later.count
        for token in later.tokens where tokens.count <= 3 && !tokens.contains(token) { tokens.append(token) }
        for sample in later.samples where samples.count < 5 { samples.append(sample) }
        updateFull()
    }

    mutating func shiftLines(by delta: Int) {
        for k in samples.indices { samples[k].line += delta }
    }

    /// A few short tokens repeated among numbers (`T` for a trace of rain, `x` for suppressed) are
    /// codes for "no number here", not a sign that the column is text.
    func isCodedPlaceholder(present: Int) -> Bool {
        tokens.count <= 3 && tokens.allSatisfy { $0.count <= 4 } && count * 4 <= present
    }
}
