#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only and private, unmapped when released.
///
/// Mapped by the reader itself (rather than through `Data`) so it knows the bytes are a file
/// mapping: only then may pages it has read be handed back to the OS (`PageReleaser`), since a
/// page touched again is read again from the file. Nil when the file cannot be mapped (empty,
/// not a regular file, no permission): the caller then reads it the ordinary way, with its errors.
final class MappedFile {
    let bytes: UnsafeBufferPointer<UInt8>
    private let base: UnsafeMutableRawPointer
    private let length: Int

    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0, let size = Int(exactly: info.st_size) else { return nil }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        base = mapped
        length = size
        bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
    }

    deinit { munmap(base, length) }
}

/// Hands the pages of a mapped file back to the OS once a pass has read them, so reading a file
/// does not keep all of it resident on top of the table it becomes (the file is as large as the
/// table). Passes that read a part again fault its pages back in from the page cache.
///
/// Only for bytes of a `MappedFile`: on memory that holds the only copy of the data (converted
/// text, inflated gzip, arrays) dropping pages would zero them, so the releaser there is `.off`.
struct PageReleaser: Sendable {
    let enabled: Bool

    static let off = PageReleaser(enabled: false)
    /// How far a pass reads between releases: large enough that the system calls cost nothing.
    static let step = 8 << 20
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Drops the whole pages inside `range` of `bytes` (pages only partly inside are kept).
    func release(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard enabled, let base = bytes.baseAddress, range.count >= Self.pageSize else { return }
        let mask = ~UInt(Self.pageSize - 1)
        let start = (UInt(bitPattern: base + range.lowerBound) + UInt(Self.pageSize - 1)) & mask
        let end = UInt(bitPattern: base + range.upperBound) & mask
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, Int(end - start), Int32(MADV_DONTNEED))
    }
}
