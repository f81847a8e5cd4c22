import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationIncremental
import ActivationIngest
import Foundation

/// Runs the stages in order: Ingest → Features → Candidates → Ranking (→ Report, by the caller).
public enum Pipeline {
    /// - Parameter progress: where to report files and rows done (nil: silent).
    public static func run(_ configuration: PipelineConfiguration, progress: IngestProgress? = nil) throws -> PipelineResult {
        // A failed run writes nothing: if the reports folder is new, the export cache made in it goes too.
        let outputExisted = FileManager.default.fileExists(atPath: configuration.outputDirectory)
        do {
            return try runStages(configuration, progress: progress)
        } catch {
            if configuration.cacheExports && !outputExisted {
                try? FileManager.default.removeItem(atPath: configuration.outputDirectory + "/cache")
                rmdir(configuration.outputDirectory)
            }
            throw error
        }
    }

    package static func runStages(_ configuration: PipelineConfiguration, progress: IngestProgress?) throws -> PipelineResult {
        var timings: [String: Double] = [:]
        guard configuration.windowDays >= 1 && configuration.windowDays <= 366 else {
            throw InputError("window_days must be between 1 and 366, got \(configuration.windowDays)", kind: .configuration)
        }
        guard configuration.rejectBudget >= 0 && configuration.rejectBudget <= 1 else {
            throw InputError("reject_budget must be a share between 0 and 1 (0.01 = 1%), got \(configuration.rejectBudget)", kind: .configuration)
        }
        try configuration.naming.validate()
        let timestamps = try TimestampReader(format: configuration.timestampFormat, zone: configuration.timeZone)
        // Paths are confined before anything is opened (so nothing outside is even probed), and the expanded
        // files again (a pattern or a symbolic link inside an allowed folder may lead out of it).
        if let roots = configuration.allowedRoots {
            try InputPaths.confine(configuration.customersPath, to: roots, what: "customer table")
            if let path = configuration.userAccountsPath { try InputPaths.confine(path, to: roots, what: "user-to-account mapping") }
            for path in configuration.eventPaths { try InputPaths.confine(path, to: roots, what: "event export") }
            try InputPaths.confine(configuration.outputDirectory, to: roots, what: "output folder")
        }
        let files = try InputPaths.expandEventPaths(configuration.eventPaths)
        if let roots = configuration.allowedRoots {
            for file in files { try InputPaths.confine(file, to: roots, what: "event export") }
        }

        // Stage 1: Ingest.
        var stage = StageClock()
        let workers = min(2, ProcessInfo.processInfo.activeProcessorCount)
        var fingerprintsAhead: FingerprintBatch?
        var memo: FingerprintMemo?
        if !configuration.featureTable {
            if configuration.cacheExports { memo = FingerprintMemo(directory: configuration.outputDirectory + "/cache") }
            let wanted = FingerprintBatch.wanted(files, cache: configuration.cacheExports,
                                                 pieceBytes: workers > 1 ? configuration.pieceBytes : 0)
            if !wanted.isEmpty { fingerprintsAhead = FingerprintBatch(paths: files, wanted: wanted, memo: memo) }
        }
        // Never left running past this function: a failed run may remove the cache folder it reads.
        defer { fingerprintsAhead?.cancel() }
        var customerSource = try ExportByteSource(path: configuration.customersPath)
        let customers: CustomerTableReader.Result
        do {
            defer { customerSource.close() }
            customers = try CustomerTableReader(columns: configuration.customerColumns, labels: configuration.renewalLabels)
                .read(&customerSource, file: configuration.customersPath)
        }
        let customerPrint = customerSource.fingerprint()
        let customerFile = InputFile(path: configuration.customersPath, bytes: customerPrint.bytes, sha256: customerPrint.sha256)
        guard customers.table.count > 0 else {
            throw InputError("\(configuration.customersPath): no usable customer rows (\(customers.rejects.count) rejected; see the first: \(customers.rejects.first.map { "line \($0.line): \($0.detail)" } ?? "none"))")
        }
        try checkBudget(rejected: customers.rejects.count, read: customers.rowsRead, budget: configuration.rejectBudget,
                        what: "customer rows", file: configuration.customersPath, first: customers.rejects.first)
        let decided = customers.table.customers.filter { $0.outcome != .undecided }
        guard !decided.isEmpty else {
            throw InputError("\(configuration.customersPath): no customer has a decided renewal (column '\(configuration.customerColumns.renewed)' holds only undecided values): nothing to learn from; fill in renewals or set the label values in the config")
        }
        guard decided.contains(where: { $0.outcome == .renewed }), decided.contains(where: { $0.outcome == .churned }) else {
            let only = decided[0].outcome == .renewed ? "renewed" : "churned"
            throw InputError("\(configuration.customersPath): every decided customer \(only): renewal cannot be predicted without both renewals and churn")
        }

        var userAccounts: UserAccountMap?
        var userAccountsFile: InputFile?
        if let path = configuration.userAccountsPath {
            var source = try ExportByteSource(path: path)
            defer { source.close() }
            let map = try UserAccountMap(reading: &source, file: path, columns: configuration.userAccountColumns, customers: customers.table)
            let print = source.fingerprint()
            userAccountsFile = InputFile(path: path, bytes: print.bytes, sha256: print.sha256)
            try checkBudget(rejected: map.rejects.count, read: map.rowsRead, budget: configuration.rejectBudget,
                            what: "mapping rows", file: path, first: map.rejects.first)
            userAccounts = map
        }

        let features: FeatureTable
        let eventFiles: [EventFileAccounting]
        let exportNames: [(name: String, resolution: EventNaming.Resolution)]
        let eventRejects: [RejectedRow]
        let dataEndDay: Int
        var cacheStatistics: ExportCacheStatistics?
        if configuration.featureTable {
            // The feature stage ran elsewhere (activation sql): read its daily table instead of the exports.
            let reader = DailyFeatureReader(customers: customers.table, windowDays: configuration.windowDays)
            var fingerprints: [FileFingerprint] = []
            for file in files {
                var source = try ExportByteSource(path: file)
                defer { source.close() }
                try reader.read(&source, file: file)
                fingerprints.append(source.fingerprint())
            }
            var accounting = reader.files
            for i in accounting.indices { accounting[i].fingerprint = fingerprints[i] }
            try checkBudget(rejected: accounting.reduce(0) { $0 + $1.rejectedTotal }, read: accounting.reduce(0) { $0 + $1.rowsRead },
                            budget: configuration.rejectBudget, what: "feature rows",
                            file: files.count == 1 ? files[0] : "\(files.count) feature files", first: reader.rejects.first)
            guard let end = reader.dataEndDay else {
                throw InputError("\(files.first ?? "features"): the feature table has no usable row", kind: .data)
            }
            timings["ingest"] = stage.lap()
            let names = (0..<reader.behaviours.count).map { reader.behaviours.string($0) }
            features = FeatureTable(customers: customers.table.customers, behaviourNames: names, accumulator: reader.accumulator,
                                    followUpComplete: false)
            timings["features"] = stage.lap()
            (eventFiles, exportNames, eventRejects, dataEndDay) = (accounting, [], reader.rejects, end)
        } else {
            let options = EventReadingOptions(timestamps: timestamps, naming: configuration.naming,
                                              deduplicate: configuration.deduplicate, userAccounts: userAccounts)
            var cache: ExportCache?
            if configuration.cacheExports {
                // A folder that cannot be made only costs the cache: the report writer names the problem.
                cache = try? ExportCache(directory: configuration.outputDirectory + "/cache",
                                         settingsKey: ExportCache.settingsKey(configuration.featureDefinition,
                                                                               customersPath: configuration.customersPath,
                                                                               userAccounts: userAccountsFile,
                                                                               userAccountColumns: configuration.userAccountColumns),
                                         windowDays: configuration.windowDays, memo: memo)
            }
            var ingest = ParallelIngest(customers: customers.table, windowDays: configuration.windowDays,
                                        columns: configuration.eventColumns, options: options, progress: progress, cache: cache)
            ingest.pieceBytes = configuration.pieceBytes
            ingest.fingerprintsAhead = fingerprintsAhead
            let outcome = try ingest.run(files, workers: workers)
            cache?.prune()
            cacheStatistics = outcome.cache
            let eventRowsRead = outcome.files.reduce(0) { $0 + $1.rowsRead }
            let eventRowsRejected = outcome.files.reduce(0) { $0 + $1.rejectedTotal }
            try checkBudget(rejected: eventRowsRejected, read: eventRowsRead, budget: configuration.rejectBudget,
                            what: "event rows", file: files.count == 1 ? files[0] : "\(files.count) event exports",
                            first: outcome.rejects.first { $0.reason != .eventBeforeSignup })
            timings["ingest"] = stage.lap()

            // Stage 2: Features.
            features = FeatureTable(customers: customers.table.customers, behaviourNames: outcome.behaviourNames,
                                    accumulator: outcome.accumulator)
            timings["features"] = stage.lap()

            let latest = outcome.latestTimestamp ?? 0
            let endDay = Int((latest >= 0 ? latest : latest - 86_399) / 86_400)
            (eventFiles, exportNames, eventRejects, dataEndDay) = (outcome.files, outcome.exportNames, outcome.rejects, endDay)
        }

        let analysis = AnalysisStage.run(features, settings: configuration.analysisSettings, dataEndDay: dataEndDay)
        timings.merge(analysis.timings) { a, _ in a }

        return PipelineResult(configuration: configuration, customerFile: customerFile, customers: customers,
                              userAccountsFile: userAccountsFile, userAccounts: userAccounts,
                              eventFiles: eventFiles, exportNames: exportNames,
                              rejects: customers.rejects + (userAccounts?.rejects ?? []) + eventRejects, features: features,
                              split: analysis.split, combinations: analysis.combinations, ranking: analysis.ranking,
                              proposal: analysis.proposal, timeToValue: analysis.timeToValue,
                              cohortActivation: analysis.cohortActivation, dataEndDay: dataEndDay, timings: timings,
                              cacheStatistics: cacheStatistics)
    }

    /// Stops the run when more than `budget` of the rows were rejected: a broken export must fail the night
    /// loudly rather than produce a report on a fraction of the data.
    package static func checkBudget(rejected: Int, read: Int, budget: Double, what: String, file: String, first: RejectedRow?) throws {
        guard read > 0, Double(rejected) > budget * Double(read) else { return }
        var message = "\(file): \(Format.count(rejected)) of \(Format.count(read)) \(what) rejected (\(Format.percent(Double(rejected) / Double(read)))), above the reject budget of \(Format.percent(budget))"
        if let first {
            message += "; first: \(first.file):\(first.line)\(first.column.isEmpty ? "" : " column \(first.column)"): \(first.reason.rawValue), \(first.detail)"
        }
        message += "; fix the export or raise reject_budget (--reject-budget)"
        throw InputError(message)
    }
}
