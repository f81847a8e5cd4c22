import Glibc

/// A file's identity and state as `stat(2)` gives them: which file (device, inode), how large, and when its content
/// (`mtime`) and its inode (`ctime`, set by the kernel on every write and which no tool can set back) last changed.
/// Two equal identities taken at two moments mean nothing was written to the file in between (to the clock's
/// resolution): how a run proves that an export did not change while it was read.
public struct FileIdentity: Sendable, Hashable {
    /// Which file: the device and inode (a file replaced by another of the same name differs here).
    public var device: UInt64, inode: UInt64
    /// Its size in bytes.
    public var size: Int
    /// When its content (`mtime`) and its inode (`ctime`) last changed, in nanoseconds since 1970.
    public var modified: Int64, changed: Int64

    /// The identity of the file at `path` now; nil when it cannot be stat'ed.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
    }

    /// An identity as recorded earlier (the fingerprint memo's file).
    public init(device: UInt64, inode: UInt64, size: Int, modified: Int64, changed: Int64) {
        self.device = device; self.inode = inode; self.size = size; self.modified = modified; self.changed = changed
    }
}
