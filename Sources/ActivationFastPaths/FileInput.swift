import Glibc

/// Reads small files or parts of files (cache entries, a few MB; windows of a large export) into an array with
/// `pread(2)`: one copy, none through `Data`.
package enum FileInput {
    /// The bytes of `range` (the whole file when nil), fewer when the file ends first; nil when it cannot be opened
    /// or read.
    package static func read(_ path: String, _ range: Range<Int>? = nil) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard let range = range ?? (fstat(fd, &st) == 0 ? 0..<Int(st.st_size) : nil) else { return nil }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            count = 0
            while count < range.count {
                let n = pread(fd, buffer.baseAddress! + count, range.count - count, off_t(range.lowerBound + count))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failed = true }
                if n <= 0 { break }
                count += n
            }
        }
        return failed ? nil : bytes
    }
}
