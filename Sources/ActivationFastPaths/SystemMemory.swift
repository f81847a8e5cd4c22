import ActivationCore
import Glibc

/// How much more memory this process may take, from the limits the system puts on it: the figure a run's memory
/// estimate is compared with (`MemoryBudget`).
public enum SystemMemory {
    /// The smallest of what is left under each limit that applies, now:
    /// - `ulimit -v` (RLIMIT_AS) minus the address space in use (`VmSize` in /proc/self/status);
    /// - `ulimit -d` (RLIMIT_DATA) minus the data mappings in use (`VmData`);
    /// - the cgroup's memory limit minus its usage, at every level up the hierarchy (v2 `memory.max` −
    ///   `memory.current`; v1 `memory.limit_in_bytes` − `memory.usage_in_bytes`), the usage without the page cache
    ///   the kernel reclaims when the limit is reached (`active_file` + `inactive_file` of `memory.stat`: a cgroup
    ///   that has just read gigabytes of exports is not short of memory);
    /// - `MemAvailable` in /proc/meminfo (free memory plus what the kernel can reclaim, e.g. the page cache).
    ///
    /// nil when none of them can be read (not Linux).
    public static func available() -> MemoryBudget.Limit? {
        var limits: [MemoryBudget.Limit] = []
        let status = read("/proc/self/status").map { String(decoding: $0, as: UTF8.self) } ?? ""
        for (resource, field, name) in [(RLIMIT_AS, "VmSize", "ulimit -v (RLIMIT_AS)"), (RLIMIT_DATA, "VmData", "ulimit -d (RLIMIT_DATA)")] {
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,  // RLIM_INFINITY
                  limit.rlim_cur < UInt64(Int.max) else { continue }
            let used = kilobytes(field, in: status) ?? 0
            limits.append(MemoryBudget.Limit(bytes: Int(limit.rlim_cur) - used, source: name))
        }
        if let cgroup = read("/proc/self/cgroup").map({ String(decoding: $0, as: UTF8.self) }) {
            for (directory, version) in cgroupDirectories(cgroup) {
                let (maxFile, usageFile) = version == 2 ? ("memory.max", "memory.current") : ("memory.limit_in_bytes", "memory.usage_in_bytes")
                guard let max = number(read(directory + "/" + maxFile)), max < 1 << 60,
                      let usage = number(read(directory + "/" + usageFile)) else { continue }
                let stat = read(directory + "/memory.stat").map { String(decoding: $0, as: UTF8.self) } ?? ""
                let prefix = version == 2 ? "" : "total_"
                let cache = (statValue(prefix + "active_file", in: stat) ?? 0) + (statValue(prefix + "inactive_file", in: stat) ?? 0)
                limits.append(MemoryBudget.Limit(bytes: max - Swift.max(0, usage - cache),
                                                 source: "the cgroup's memory limit (\(directory)/\(maxFile))"))
            }
        }
        if let meminfo = read("/proc/meminfo").map({ String(decoding: $0, as: UTF8.self) }),
           let free = kilobytes("MemAvailable", in: meminfo) {
            limits.append(MemoryBudget.Limit(bytes: free, source: "the memory available now (MemAvailable in /proc/meminfo)"))
        }
        return limits.min { $0.bytes < $1.bytes }
    }

    /// The value of a `Name:   1234 kB` line of /proc/self/status or /proc/meminfo, in bytes.
    package static func kilobytes(_ field: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let value = parts.first.flatMap({ Int($0) }) else { return nil }
            return parts.count > 1 && parts[1] == "kB" ? value * 1024 : value
        }
        return nil
    }

    /// The value of a `name 1234` line of a cgroup's memory.stat (bytes).
    package static func statValue(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 && parts[0] == name { return Int(parts[1]) }
        }
        return nil
    }

    /// The cgroup folders whose memory limits apply to this process, from /proc/self/cgroup: for v2 (`0::/path`)
    /// the folder and each parent under /sys/fs/cgroup, for v1 (`N:memory:/path` or a list naming memory) the same
    /// under /sys/fs/cgroup/memory; the root itself too (inside a container's namespace it is the container's).
    package static func cgroupDirectories(_ text: String, root: String = "/sys/fs/cgroup") -> [(String, Int)] {
        var directories: [(String, Int)] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let version: Int, base: String
            if fields[0] == "0" && fields[1].isEmpty {
                (version, base) = (2, root)
            } else if fields[1].split(separator: ",").contains("memory") {
                (version, base) = (1, root + "/memory")
            } else {
                continue
            }
            var path = String(fields[2])
            while true {
                directories.append((path == "/" || path.isEmpty ? base : base + path, version))
                guard let slash = path.lastIndex(of: "/"), path != "/" else { break }
                path = slash == path.startIndex ? "/" : String(path[..<slash])
            }
        }
        return directories
    }

    /// A file's first line as a whole number ("max" and anything else: nil).
    private static func number(_ bytes: [UInt8]?) -> Int? {
        guard let bytes else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? "")
    }

    /// A small file of /proc or /sys, read whole (their sizes read as 0, so not with `FileInput`).
    private static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
