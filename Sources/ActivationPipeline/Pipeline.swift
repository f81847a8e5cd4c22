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
        analyse(try prepare(configuration, progress: progress))
    }

    /// Ingest and features, the checks before any model, and the fitted table (`PreparedRun`): everything of a run
    /// but the analysis (`analyse`), which is a pure function of what this returns. A run can stop here.
    public static func prepare(_ configuration: PipelineConfiguration, progress: IngestProgress? = nil) throws -> PreparedRun {
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

    /// What a run reads, resolved before anything is read: the event exports in order, and the latest moment a row
    /// may be stamped.
    package struct ResolvedInputs: Sendable {
        package var files: [String]
        package var latestAllowed: Int64
        package var latestAllowedReason: String
    }

    /// The inputs' paths confined to the allowed folders before anything is opened (so nothing outside is even
    /// probed), the export patterns expanded and the files confined again (a pattern or a symbolic link inside an
    /// allowed folder may lead out of it); and the latest moment a row may be stamped: nothing can be stamped after
    /// the run's clock (a day of slack for zones and clock skew), nor after a data's end the config fixes (later rows
    /// are sentinels such as 9999-12-31, or milliseconds read as seconds, and would move the data's end).
    package static func resolveInputs(_ configuration: PipelineConfiguration) throws -> ResolvedInputs {
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
        let clock = configuration.clockSeconds ?? Int64(Date().timeIntervalSince1970)
        var latestAllowed = clock + 86_400
        var latestAllowedReason = "the run's clock plus a day"
        if let end = configuration.dataEndDay, Int64(end + 1) * 86_400 - 1 < latestAllowed {
            latestAllowed = Int64(end + 1) * 86_400 - 1
            latestAllowedReason = "analysis.data_end \(TimestampParser.dateString(day: end))"
        }
        return ResolvedInputs(files: files, latestAllowed: latestAllowed, latestAllowedReason: latestAllowedReason)
    }

    /// Everything a run with `configuration` would read, by size and SHA-256, when that is known without reading an
    /// export: each export as the export cache's fingerprint memo vouches for it (nil as soon as one is not vouched
    /// for: new or changed, the run has to read), the customer table and the user mapping hashed (they are small).
    package struct KnownInputs: Sendable {
        package var customers: InputFile
        package var userAccounts: InputFile?
        package var exports: [InputFile]
        package var latestAllowed: Int64
    }

    package static func knownInputs(_ configuration: PipelineConfiguration) throws -> KnownInputs? {
        let resolved = try resolveInputs(configuration)
        let memo = FingerprintMemo(directory: configuration.outputDirectory + "/cache")
        var exports: [InputFile] = []
        for path in resolved.files {
            guard let print = memo.remembered(path) else { return nil }
            exports.append(InputFile(path: path, bytes: print.bytes, sha256: print.sha256))
        }
        func hashed(_ path: String) throws -> InputFile {
            let print = try FileFingerprint.reading(path)
            return InputFile(path: path, bytes: print.bytes, sha256: print.sha256)
        }
        return KnownInputs(customers: try hashed(configuration.customersPath),
                           userAccounts: try configuration.userAccountsPath.map(hashed), exports: exports,
                           latestAllowed: resolved.latestAllowed)
    }

    package static func runStages(_ configuration: PipelineConfiguration, progress: IngestProgress?) throws -> PreparedRun {
        var timings: [String: Double] = [:]
        guard configuration.windowDays >= 1 && configuration.windowDays <= 366 else {
            throw InputError("window_days must be between 1 and 366, got \(configuration.windowDays)", kind: .configuration)
        }
        guard configuration.rejectBudget >= 0 && configuration.rejectBudget <= 1 else {
            throw InputError("reject_budget must be a share between 0 and 1 (0.01 = 1%), got \(configuration.rejectBudget)", kind: .configuration)
        }
        try configuration.naming.validate()
        let timestamps = try TimestampReader(format: configuration.timestampFormat, zone: configuration.timeZone)
        let resolved = try resolveInputs(configuration)
        let files = resolved.files
        guard configuration.minimumOutcomes >= 1, (0...1).contains(configuration.maximumDrop) else {
            throw InputError("min_outcomes must be at least 1 and max_drop a share between 0 and 1", kind: .configuration)
        }
        // The previous run's figures, read before anything is written (the circuit breaker below compares them).
        let previous = PreviousRun(reportsRoot: configuration.outputDirectory)
        let (latestAllowed, latestAllowedReason) = (resolved.latestAllowed, resolved.latestAllowedReason)
        let latestAllowedDay = Int(latestAllowed / 86_400)

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
            customers = try CustomerTableReader(columns: configuration.customerColumns, labels: configuration.renewalLabels,
                                                latestSignupDay: latestAllowedDay, latestSignupReason: latestAllowedReason)
                .with(signupFormat: configuration.signupFormat)
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

        // The memory the run will need, against what the machine, its cgroup and ulimit leave now, once the customers
        // and the window are known and before any count is allocated: checked here for one behaviour, and again by
        // the readers and the merge before each new behaviour's counts (MemoryBudget has the formula).
        let memory = MemoryBudget(customers: customers.table.count, windowDays: configuration.windowDays,
                                  limit: configuration.memoryLimit.map { MemoryBudget.Limit(bytes: $0, source: "the configured memory limit") }
                                      ?? SystemMemory.available())
        try memory.check(behaviours: 1)

        let features: FeatureTable
        let eventFiles: [EventFileAccounting]
        let exportNames: [(name: String, resolution: EventNaming.Resolution)]
        let eventRejects: [RejectedRow]
        let dataEndDay: Int
        var cacheStatistics: ExportCacheStatistics?
        if configuration.featureTable {
            // The feature stage ran elsewhere (activation sql): read its daily table instead of the exports.
            let reader = DailyFeatureReader(customers: customers.table, windowDays: configuration.windowDays)
            reader.memoryBudget = memory
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
            var options = EventReadingOptions(timestamps: timestamps, naming: configuration.naming,
                                              deduplicate: configuration.deduplicate, userAccounts: userAccounts,
                                              latestAllowedSeconds: latestAllowed, latestAllowedReason: latestAllowedReason)
            options.memoryBudget = memory
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
            // Stops when an export is written to while it is read (ParallelIngest: its size and SHA-256 in run.json
            // would describe bytes that were not all parsed), or when its behaviours need more memory than is left.
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
            (eventFiles, exportNames, eventRejects, dataEndDay) = (outcome.files, outcome.exportNames, outcome.rejects,
                                                                   configuration.dataEndDay ?? endDay)
        }

        if !configuration.deduplicate { try checkNoExportTwice(eventFiles) }
        try checkEvidence(configuration, features: features, eventFiles: eventFiles, dataEndDay: dataEndDay,
                                       customers: customers, previous: previous, files: files)
        // Decided customers whose first window is not over by the data's end would be fitted with part of their
        // usage: the analysis sees them as undecided (the feature table keeps their outcome).
        var fitted = features
        for i in fitted.customers.indices where fitted.customers[i].outcome != .undecided
            && fitted.customers[i].signupDay + configuration.windowDays > dataEndDay + 1 {
            fitted.customers[i].outcome = .undecided
        }
        // A window longer than the data reaches leaves nothing to fit (the models need decided customers).
        guard !fitted.decidedCustomers.isEmpty else {
            throw InputError("\(configuration.customersPath): none of the \(Format.count(features.decidedCustomers.count)) customers with a decided renewal has had its first \(configuration.windowDays) days by the data's end (\(TimestampParser.dateString(day: dataEndDay))): nothing to fit; shorten the window (analysis.window_days, --window-days)", kind: .data)
        }
        // The split the analysis makes (`AnalysisStage.run` makes the same from the same table), for the evidence.
        let split = CohortSplit(customers: fitted.customers, decided: fitted.decidedCustomers,
                                holdoutShare: configuration.analysisSettings.criteria.holdoutShare)
        var evidence = Evidence(split: split, customers: fitted.customers, minimum: configuration.minimumOutcomes)
        evidence.dataEndConfigured = configuration.dataEndDay != nil
        evidence.decidedWindowOpen = features.decidedCustomers.count - fitted.decidedCustomers.count
        evidence.eventRowsInFuture = eventFiles.reduce(0) { $0 + $1.rejected[RejectReason.timestampInFuture.rawValue, default: 0] }
        evidence.signupsAfterDataEnd = customers.rejects.filter { $0.reason == .signupAfterDataEnd }.count
        evidence.fieldWarnings = customers.fieldWarnings
        evidence.previousEventRowsUsed = previous?.eventRowsUsed
        evidence.previousDecidedCustomers = previous?.decidedCustomers
        return PreparedRun(configuration: configuration, customerFile: customerFile, customers: customers,
                           userAccountsFile: userAccountsFile, userAccounts: userAccounts,
                           eventFiles: eventFiles, exportNames: exportNames,
                           rejects: customers.rejects + (userAccounts?.rejects ?? []) + eventRejects, features: features,
                           fitted: fitted, dataEndDay: dataEndDay, timings: timings, cacheStatistics: cacheStatistics,
                           evidence: evidence)
    }

    /// Stages 3-5 on a prepared run (`AnalysisStage.run` on its fitted table), and the result the report needs.
    public static func analyse(_ prepared: PreparedRun) -> PipelineResult {
        let configuration = prepared.configuration
        var analysis = AnalysisStage.run(prepared.fitted, settings: configuration.analysisSettings, dataEndDay: prepared.dataEndDay)
        var timings = prepared.timings
        timings.merge(analysis.timings) { a, _ in a }
        let evidence = prepared.evidence
        if !evidence.enough {
            // Too few renewals or churners to tell anything from chance: no proposal, no ranking, no warning sign
            // (with one churner every interval has zero width and any behaviour looks like a churn signal).
            analysis.proposal = ActivationProposal(diagnostics: [], criteria: configuration.criteria)
            analysis.timeToValue = nil
            analysis.cohortActivation = nil
            analysis.ranking.unranked = analysis.ranking.all.sorted { $0.name < $1.name }
            analysis.ranking.candidates = []
            analysis.ranking.warningSigns = []
            analysis.ranking.noClearLink = []
        }

        return PipelineResult(configuration: configuration, customerFile: prepared.customerFile, customers: prepared.customers,
                              userAccountsFile: prepared.userAccountsFile, userAccounts: prepared.userAccounts,
                              eventFiles: prepared.eventFiles, exportNames: prepared.exportNames,
                              rejects: prepared.rejects, features: prepared.features,
                              split: analysis.split, combinations: analysis.combinations, ranking: analysis.ranking,
                              proposal: analysis.proposal, drivers: analysis.drivers, stability: analysis.stability,
                              earlyActivation: analysis.earlyActivation, experiment: analysis.experiment,
                              timeToValue: analysis.timeToValue,
                              cohortActivation: analysis.cohortActivation, dataEndDay: prepared.dataEndDay, timings: timings,
                              cacheStatistics: prepared.cacheStatistics, evidence: evidence)
    }

    /// Stops a run that reads the same export twice under two names (byte for byte the same, with rows: a re-unload
    /// next to the first, a copy left in the folder), which would count every event twice; empty exports and
    /// header-only ones may well be alike. With de-duplication on, the second copy's rows are dropped as duplicates.
    package static func checkNoExportTwice(_ files: [EventFileAccounting]) throws {
        var first: [String: String] = [:]
        for f in files where f.rowsRead > 0 && !f.sha256.isEmpty {
            if let earlier = first[f.sha256] {
                throw InputError("\(f.path) has the same bytes as \(earlier) (SHA-256 \(f.sha256.prefix(16))…): reading the same export twice would count every event twice; remove the copy, or set events.deduplicate = true (--deduplicate) when exports overlap on purpose")
            }
            first[f.sha256] = f.path
        }
    }

    /// Stops a run that has no usable evidence, or much less than the previous run, before anything is written:
    /// a confident "nothing goes with renewal" from an empty export would replace a good report.
    package static func checkEvidence(_ configuration: PipelineConfiguration, features: FeatureTable,
                                      eventFiles: [EventFileAccounting], dataEndDay: Int,
                                      customers: CustomerTableReader.Result, previous: PreviousRun?,
                                      files: [String]) throws {
        let what = configuration.featureTable ? "feature" : "event"
        let where_ = files.count == 1 ? files[0] : "\(files.count) \(what) files"
        let read = eventFiles.reduce(0) { $0 + $1.rowsRead }
        let used = eventFiles.reduce(0) { $0 + $1.used }
        guard read > 0 else {
            throw InputError("\(where_): no \(what) rows at all (header only?): nothing to learn from; check the export", kind: .data)
        }
        guard used > 0 else {
            var fates: [String: Int] = [:]
            for f in eventFiles {
                fates["before the signup day", default: 0] += f.beforeSignup
                fates["after the first window", default: 0] += f.afterWindow
                fates["excluded", default: 0] += f.excluded
                fates["duplicates", default: 0] += f.duplicates
                for (reason, n) in f.rejected { fates["rejected as \(reason)", default: 0] += n }
            }
            let listed = fates.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\(Format.count($0.value)) \($0.key)" }.joined(separator: ", ")
            throw InputError("\(where_): none of the \(Format.count(read)) \(what) rows falls in a customer's first \(configuration.windowDays) days (\(listed)); check the timestamp format, time zone and signup dates", kind: .data)
        }
        let decided = features.decidedCustomers
        var didAnything = [Bool](repeating: false, count: features.customers.count)
        for b in features.behaviours { for c in b.doers { didAnything[Int(c)] = true } }
        let withUsage = decided.filter { didAnything[$0] }.count
        guard withUsage > 0 else {
            throw InputError("\(where_): \(Format.count(used)) \(what) rows were used, but none belongs to one of the \(Format.count(decided.count)) customers with a decided renewal: nothing to learn from; check that the exports and \(configuration.customersPath) cover the same customers", kind: .data)
        }
        if let previous, !configuration.acceptDrop {
            let limit = 1 - configuration.maximumDrop
            var falls: [String] = []
            if !configuration.featureTable, previous.windowDays == nil || previous.windowDays == configuration.windowDays,
               let before = previous.eventRowsUsed, before > 0, Double(used) < limit * Double(before) {
                falls.append("used event rows fell from \(Format.count(before)) to \(Format.count(used))")
            }
            if let before = previous.decidedCustomers, before > 0, Double(decided.count) < limit * Double(before) {
                falls.append("decided customers fell from \(Format.count(before)) to \(Format.count(decided.count))")
            }
            if !falls.isEmpty {
                throw InputError("\(falls.joined(separator: " and ")) since the previous run (\(previous.path)), more than max_drop \(Format.percent(configuration.maximumDrop)): a partial export? Check the inputs, or run with --accept-drop if the fall is expected", kind: .data)
            }
        }
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
