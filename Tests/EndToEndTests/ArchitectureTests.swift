import ActivationTestSupport
import Foundation
import Testing

/// The direction of the pipeline, enforced. SwiftPM lets a module import any module built before it (a transitive
/// dependency's interface is on the search path), so the compiler alone does not stop a wrong-way import; this test
/// does: every `import` of a source module must name a dependency that `Package.swift` declares for that target,
/// and the declared dependencies must respect the layering of the README's Architecture table.
@Suite("Architecture")
struct ArchitectureTests {
    /// What each module may import (project modules and C libraries; Foundation, Glibc and Dispatch always).
    static let allowed: [String: Set<String>] = [
        "ActivationStatistics": [],
        "ActivationCore": [],
        "ActivationFastPaths": ["ActivationCore", "CActivationShims", "CZlib", "CLibCrypto"],
        "ActivationIngest": ["ActivationCore", "ActivationFastPaths", "CActivationShims", "CLibCSV"],
        "ActivationFeatures": ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "CActivationShims"],
        "ActivationIncremental": ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "ActivationFeatures"],
        "ActivationAnalysis": ["ActivationCore", "ActivationStatistics", "ActivationFeatures"],
        "ActivationPipeline": ["ActivationCore", "ActivationFastPaths", "ActivationIngest", "ActivationFeatures",
                               "ActivationIncremental", "ActivationAnalysis", "ActivationStatistics", "TOMLKit"],
        "ActivationReport": ["ActivationCore", "ActivationFastPaths", "ActivationFeatures", "ActivationAnalysis",
                             "ActivationStatistics", "ActivationPipeline"],
    ]
    static let system: Set<String> = ["Foundation", "Glibc", "Dispatch", "FoundationXML"]

    /// Each target's declared dependencies, from `swift package dump-package`.
    static func declared() throws -> [String: Set<String>] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch folder of its own: the package's `.build` is locked by the `swift test` running this test.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("activation-dump-package-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = ["swift", "package", "--package-path", Repository.root.path, "--scratch-path", scratch.path, "dump-package"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: Set<String>] = [:]
        for target in try #require(json["targets"] as? [[String: Any]]) {
            let name = try #require(target["name"] as? String)
            var deps = Set<String>()
            for dep in target["dependencies"] as? [[String: Any]] ?? [] {
                for (_, value) in dep { if let list = value as? [Any], let first = list.first as? String { deps.insert(first) } }
            }
            out[name] = deps
        }
        return out
    }

    /// The modules a source folder imports.
    static func imports(of module: String) throws -> [String: String] {
        let folder = Repository.root.appendingPathComponent("Sources/\(module)")
        var found: [String: String] = [:]
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                if let name = line.split(separator: " ").last { found[String(name), default: file] = file }
            }
        }
        return found
    }

    @Test func everyImportIsADeclaredDependencyAndTheLayersPointOneWay() throws {
        let declared = try Self.declared()
        for (module, allowed) in Self.allowed {
            let deps = try #require(declared[module], "\(module) is a target")
            #expect(deps.isSubset(of: allowed), "\(module) declares \(deps.subtracting(allowed).sorted()), against the layering")
            for (imported, file) in try Self.imports(of: module) where !Self.system.contains(imported) {
                #expect(deps.contains(imported), "Sources/\(module)/\(file) imports \(imported), which \(module) does not declare")
            }
        }
    }

    /// The check itself catches a wrong-way import (Analysis reading bytes through Ingest).
    @Test func aWrongWayImportIsCaught() throws {
        let deps = try #require(try Self.declared()["ActivationAnalysis"])
        #expect(!deps.contains("ActivationIngest") && !deps.contains("ActivationFastPaths") && !deps.contains("ActivationIncremental"))
        #expect(!(try Self.declared()["ActivationPipeline"] ?? []).contains("ActivationReport"))
        #expect((try Self.declared()["ActivationStatistics"] ?? ["x"]).isEmpty)
    }
}
