import Foundation

/// Writes every output file of a run, all or nothing.
///
/// Files are written into a fresh hidden directory beside the output directory and swapped in with `rename(2)` only
/// when all of them were written, so a failed or killed run leaves the previous reports untouched.
public struct ReportWriter {
    public init() {}

    /// The files of a run, by name.
    public func files(for result: PipelineResult) throws -> [(name: String, contents: String)] {
        [
            ("activation-report.md", MarkdownReport.render(result)),
            ("behaviours.csv", DataFiles.behaviours(result)),
            ("thresholds.csv", DataFiles.thresholds(result)),
            ("features.csv", DataFiles.features(result.features)),
            ("rejects.csv", DataFiles.rejects(result.rejects)),
            ("run.json", try DataFiles.runRecord(result, timings: result.timings)),
        ]
    }

    public func write(_ result: PipelineResult, to directory: String) throws {
        try writeAtomically(try files(for: result), to: directory)
    }

    public func writeAtomically(_ files: [(name: String, contents: String)], to directory: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(pid)")
        let previous = parent.appendingPathComponent(".\(target.lastPathComponent).previous-\(pid)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            for file in files {
                try Data(file.contents.utf8).write(to: staging.appendingPathComponent(file.name))
            }
            // Keep files in the old directory that this run does not own (a README, earlier dated runs).
            if fm.fileExists(atPath: target.path) {
                let owned = Set(files.map(\.name))
                for name in try fm.contentsOfDirectory(atPath: target.path) where !owned.contains(name) {
                    try fm.copyItem(at: target.appendingPathComponent(name), to: staging.appendingPathComponent(name))
                }
                try fm.moveItem(at: target, to: previous)
            }
            try fm.moveItem(at: staging, to: target)
            try? fm.removeItem(at: previous)
        } catch {
            try? fm.removeItem(at: staging)
            if !fm.fileExists(atPath: target.path) && fm.fileExists(atPath: previous.path) {
                try? fm.moveItem(at: previous, to: target)
            }
            throw InputError("\(directory): could not write the reports: \(error.localizedDescription)")
        }
    }
}
