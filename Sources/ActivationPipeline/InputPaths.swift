import ActivationCore
import Foundation
import Glibc

/// Turns the configured input names into files, and keeps every path inside the allowed folders.
///
/// Nothing here goes through a shell: patterns are expanded with `glob(3)` and names are passed to `open(2)` as
/// they are, so a file called `$(rm -rf ~).csv` is just a file with an odd name.
public enum InputPaths {
    /// The event export files named by `paths`: files as given; directories expanded to their `*.csv` and
    /// `*.csv.gz` files; names with `*`, `?` or `[` expanded as glob patterns. Each group sorted by name, and a
    /// file named twice is read once. Throws for a path that does not exist, a directory with no export, or a
    /// pattern that matches nothing.
    public static func expandEventPaths(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        func byName(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        for path in paths {
            if path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) && !fm.fileExists(atPath: path) {
                let matches = try glob(path).filter { isExport($0) || !isDirectory($0) }.sorted(by: byName)
                guard !matches.isEmpty else {
                    throw InputError("\(path): the pattern matches no file", kind: .missingInput)
                }
                files += matches.filter { !isDirectory($0) }
                continue
            }
            var directory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &directory) else {
                throw InputError("\(path): no such file or directory (an event export)", kind: .missingInput)
            }
            if directory.boolValue {
                let names = try fm.contentsOfDirectory(atPath: path)
                    .filter { isExport($0) && !$0.hasPrefix(".") }
                    .sorted(by: byName)
                guard !names.isEmpty else {
                    throw InputError("\(path): the directory holds no *.csv or *.csv.gz export", kind: .missingInput)
                }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var seen = Set<String>()
        return files.filter { seen.insert(canonical($0)).inserted }
    }

    package static func isExport(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz")
    }

    package static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    package static func glob(_ pattern: String) throws -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let status = Glibc.glob(pattern, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else { throw InputError("\(pattern): could not expand the pattern (glob error \(status))", kind: .configuration) }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// The absolute path with symbolic links resolved; for a path that does not exist yet, its nearest existing
    /// ancestor resolved and the rest appended.
    public static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var existing = (absolute as NSString).standardizingPath
        var rest: [String] = []
        while true {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                var result = String(cString: resolved)
                for part in rest.reversed() { result = (result as NSString).appendingPathComponent(part) }
                return result
            }
            let parent = (existing as NSString).deletingLastPathComponent
            if parent == existing || parent.isEmpty { return (absolute as NSString).standardizingPath }
            rest.append((existing as NSString).lastPathComponent)
            existing = parent
        }
    }

    /// Throws unless `path` lies inside one of `roots` (both resolved with `canonical`).
    public static func confine(_ path: String, to roots: [String], what: String) throws {
        let resolved = canonical(path)
        for root in roots {
            let base = canonical(root)
            if resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/") { return }
        }
        throw InputError("\(path): refused: the \(what) resolves to \(resolved), outside the allowed folders (\(roots.map { canonical($0) }.joined(separator: ", "))); add its folder to allowed_roots in the config if it is meant to be used",
                         kind: .configuration)
    }
}
