import Foundation

/// Everything one run produced, handed to the Report stage.
public struct PipelineResult: Sendable {
    public var configuration: PipelineConfiguration
    public var customerFile: InputFile
    public var customers: CustomerTableReader.Result
    public var eventFiles: [EventFileAccounting]
    /// Every row not used, customers table first, then events in file order.
    public var rejects: [RejectedRow]
    public var features: FeatureTable
    public var ranking: BehaviourRanking
    public var proposal: ActivationProposal
    /// Wall-clock seconds per stage (not part of the deterministic output).
    public var timings: [String: Double]

    public var eventRowsRead: Int { eventFiles.reduce(0) { $0 + $1.rowsRead } }
    public var eventRowsUsed: Int { eventFiles.reduce(0) { $0 + $1.used } }
    public var eventRowsBeforeSignup: Int { eventFiles.reduce(0) { $0 + $1.beforeSignup } }
    public var eventRowsAfterWindow: Int { eventFiles.reduce(0) { $0 + $1.afterWindow } }
    public var eventRowsRejected: Int { eventFiles.reduce(0) { $0 + $1.rejectedTotal } }
}

/// Runs the stages in order: Ingest → Features → Candidates → Ranking (→ Report, by the caller).
public enum Pipeline {
    /// The event export files named by `paths`: files as given, directories expanded to their `*.csv` files sorted
    /// by name. Throws for a path that does not exist or a directory with no CSV file.
    public static func expandEventPaths(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError("\(path): no such file or directory (given with --events)")
            }
            if isDirectory.boolValue {
                let names = try fm.contentsOfDirectory(atPath: path)
                    .filter { $0.lowercased().hasSuffix(".csv") && !$0.hasPrefix(".") }
                    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                guard !names.isEmpty else { throw InputError("\(path): the directory holds no *.csv export") }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    public static func run(_ configuration: PipelineConfiguration) throws -> PipelineResult {
        var timings: [String: Double] = [:]
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        guard configuration.windowDays >= 1 && configuration.windowDays <= 366 else {
            throw InputError("--window-days must be between 1 and 366, got \(configuration.windowDays)")
        }

        // Stage 1: Ingest.
        var start = clock.now
        var customerSource = FingerprintingByteSource(try FileByteSource(path: configuration.customersPath))
        let customers: CustomerTableReader.Result
        do {
            defer { customerSource.base.close() }
            customers = try CustomerTableReader(columns: configuration.customerColumns)
                .read(&customerSource, file: configuration.customersPath)
        }
        let customerFile = InputFile(path: configuration.customersPath, bytes: customerSource.bytesRead, sha256: customerSource.digest())
        guard customers.table.count > 0 else {
            throw InputError("\(configuration.customersPath): no usable customer rows (\(customers.rejects.count) rejected; see the first: \(customers.rejects.first.map { "line \($0.line): \($0.detail)" } ?? "none"))")
        }
        let decided = customers.table.customers.filter { $0.outcome != .undecided }
        guard !decided.isEmpty else {
            throw InputError("\(configuration.customersPath): no customer has a decided renewal (column '\(configuration.customerColumns.renewed)' is empty everywhere): nothing to learn from")
        }
        guard decided.contains(where: { $0.outcome == .renewed }), decided.contains(where: { $0.outcome == .churned }) else {
            let only = decided[0].outcome == .renewed ? "renewed" : "churned"
            throw InputError("\(configuration.customersPath): every decided customer \(only): renewal cannot be predicted without both renewals and churn")
        }

        let files = try expandEventPaths(configuration.eventPaths)
        let accumulator = FirstWindowAccumulator(customerCount: customers.table.count, windowDays: configuration.windowDays)
        let ingestor = EventIngestor(customers: customers.table, windowDays: configuration.windowDays,
                                     columns: configuration.eventColumns, sink: accumulator)
        ingestor.naiveOffsetSeconds = configuration.naiveTimestampOffsetSeconds
        var fingerprints: [(Int, String)] = []
        for file in files {
            var source = FingerprintingByteSource(try FileByteSource(path: file))
            defer { source.base.close() }
            try ingestor.read(&source, file: file)
            fingerprints.append((source.bytesRead, source.digest()))
        }
        var eventFiles = ingestor.files
        for i in eventFiles.indices { (eventFiles[i].bytes, eventFiles[i].sha256) = fingerprints[i] }
        timings["ingest"] = seconds(clock.now - start)

        // Stage 2: Features.
        start = clock.now
        let names = (0..<ingestor.behaviours.count).map { ingestor.behaviours.string($0) }
        let features = FeatureTable(customers: customers.table.customers, behaviourNames: names, accumulator: accumulator)
        timings["features"] = seconds(clock.now - start)

        // Stage 3: Candidates.
        start = clock.now
        let decidedIndices = features.decidedCustomers
        var fitter = BehaviourModelFitter()
        fitter.folds = configuration.folds
        let scanner = ThresholdScanner()
        let evidence = features.behaviours.map { behaviour -> BehaviourEvidence in
            let model = fitter.fit(behaviour, customers: features.customers, decided: decidedIndices)
            let scan = scanner.scan(behaviour, customers: features.customers, decided: decidedIndices)
            return BehaviourEvidence(model: model, scan: scan, best: scanner.best(scan))
        }
        timings["candidates"] = seconds(clock.now - start)

        // Stages 4 and 5: Ranking and proposal.
        start = clock.now
        let ranking = BehaviourRanking(evidence)
        let proposal = ActivationProposal(ranking: ranking, criteria: configuration.criteria)
        timings["ranking"] = seconds(clock.now - start)

        return PipelineResult(configuration: configuration, customerFile: customerFile, customers: customers,
                              eventFiles: eventFiles, rejects: customers.rejects + ingestor.rejects, features: features,
                              ranking: ranking, proposal: proposal, timings: timings)
    }
}
