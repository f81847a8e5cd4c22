import ActivationCore
import Glibc

/// Writes whole files with `write(2)` from bytes already in memory (reports, cache entries): no intermediate copy.
package enum FileOutput {
    /// Creates `path` (it must not exist: callers write into fresh staging names) and writes all of `bytes`.
    package static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { write in try write(bytes) }
    }

    /// Creates `path` (it must not exist) and lets `produce` write it piece by piece, in order, through the function
    /// it is given.
    package static func write(to path: String,
                      _ produce: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw InputError("\(path): cannot create: \(String(cString: strerror(errno)))", kind: .output) }
        defer { _ = Glibc.close(fd) }
        try produce { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw InputError("\(path): write failed: \(String(cString: strerror(errno)))", kind: .output) }
                offset += n
            }
        }
    }

    package static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0), to: path) }
    }
}
