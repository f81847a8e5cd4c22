import ActivationStatistics
import Foundation

/// Everything one run produced, handed to the Report stage.
public struct PipelineResult: Sendable {
    public var configuration: PipelineConfiguration
    public var customerFile: InputFile
    public var customers: CustomerTableReader.Result
    public var userAccountsFile: InputFile?
    public var userAccounts: UserAccountMap?
    public var eventFiles: [EventFileAccounting]
    /// Export event names in order of first appearance, and the behaviour each became (or its exclusion).
    public var exportNames: [(name: String, resolution: EventNaming.Resolution)]
    /// Every row not used, customers table first, then events in file order.
    public var rejects: [RejectedRow]
    public var features: FeatureTable
    /// Training (earlier signups) and holdout (most recent) decided customers.
    public var split: CohortSplit
    /// AND-combinations of the strongest behaviours that beat each part on the holdout.
    public var combinations: [ThresholdCandidate]
    public var ranking: BehaviourRanking
    public var proposal: ActivationProposal
    /// Kaplan-Meier time to the proposed event, and activation rates by signup cohort (nil without a proposal).
    public var timeToValue: TimeToValue?
    public var cohortActivation: CohortActivation?
    /// The last day (days since 1970-01-01) the event data covers.
    public var dataEndDay: Int
    /// Wall-clock seconds per stage (not part of the deterministic output).
    public var timings: [String: Double]
    /// What the export cache did (nil when it is off).
    public var cacheStatistics: ExportCacheStatistics?

    public var eventRowsRead: Int { eventFiles.reduce(0) { $0 + $1.rowsRead } }
    public var eventRowsUsed: Int { eventFiles.reduce(0) { $0 + $1.used } }
    public var eventRowsBeforeSignup: Int { eventFiles.reduce(0) { $0 + $1.beforeSignup } }
    public var eventRowsAfterWindow: Int { eventFiles.reduce(0) { $0 + $1.afterWindow } }
    public var eventRowsRejected: Int { eventFiles.reduce(0) { $0 + $1.rejectedTotal } }
    public var eventRowsExcluded: Int { eventFiles.reduce(0) { $0 + $1.excluded } }
    public var eventRowsDuplicate: Int { eventFiles.reduce(0) { $0 + $1.duplicates } }
}

/// Runs the stages in order: Ingest → Features → Candidates → Ranking (→ Report, by the caller).
public enum Pipeline {
    /// - Parameter progress: where to report files and rows done (nil: silent).
    public static func run(_ configuration: PipelineConfiguration, progress: Progress? = nil) throws -> PipelineResult {
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

    static func runStages(_ configuration: PipelineConfiguration, progress: Progress?) throws -> PipelineResult {
        var timings: [String: Double] = [:]
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
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
        var start = clock.now
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
            var fingerprints: [(bytes: Int, sha256: String)] = []
            for file in files {
                var source = try ExportByteSource(path: file)
                defer { source.close() }
                try reader.read(&source, file: file)
                fingerprints.append(source.fingerprint())
            }
            var accounting = reader.files
            for i in accounting.indices { (accounting[i].bytes, accounting[i].sha256) = fingerprints[i] }
            try checkBudget(rejected: accounting.reduce(0) { $0 + $1.rejectedTotal }, read: accounting.reduce(0) { $0 + $1.rowsRead },
                            budget: configuration.rejectBudget, what: "feature rows",
                            file: files.count == 1 ? files[0] : "\(files.count) feature files", first: reader.rejects.first)
            guard let end = reader.dataEndDay else {
                throw InputError("\(files.first ?? "features"): the feature table has no usable row", kind: .data)
            }
            timings["ingest"] = seconds(clock.now - start)
            start = clock.now
            let names = (0..<reader.behaviours.count).map { reader.behaviours.string($0) }
            features = FeatureTable(customers: customers.table.customers, behaviourNames: names, accumulator: reader.accumulator,
                                    followUpComplete: false)
            timings["features"] = seconds(clock.now - start)
            (eventFiles, exportNames, eventRejects, dataEndDay) = (accounting, [], reader.rejects, end)
        } else {
            let options = EventReadingOptions(timestamps: timestamps, naming: configuration.naming,
                                              deduplicate: configuration.deduplicate, userAccounts: userAccounts)
            var cache: ExportCache?
            if configuration.cacheExports {
                // A folder that cannot be made only costs the cache: the report writer names the problem.
                cache = try? ExportCache(directory: configuration.outputDirectory + "/cache",
                                         settingsKey: ExportCache.settingsKey(configuration, userAccounts: userAccountsFile),
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
            timings["ingest"] = seconds(clock.now - start)

            // Stage 2: Features.
            start = clock.now
            features = FeatureTable(customers: customers.table.customers, behaviourNames: outcome.behaviourNames,
                                    accumulator: outcome.accumulator)
            timings["features"] = seconds(clock.now - start)

            let latest = outcome.latestTimestamp ?? 0
            let endDay = Int((latest >= 0 ? latest : latest - 86_399) / 86_400)
            (eventFiles, exportNames, eventRejects, dataEndDay) = (outcome.files, outcome.exportNames, outcome.rejects, endDay)
        }

        let analysis = analyse(features, configuration: configuration, dataEndDay: dataEndDay)
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

    /// What the stages after Features produce.
    public struct Analysis: Sendable {
        public var split: CohortSplit
        public var evidence: [BehaviourEvidence]
        public var combinations: [ThresholdCandidate]
        public var ranking: BehaviourRanking
        public var proposal: ActivationProposal
        public var timeToValue: TimeToValue?
        public var cohortActivation: CohortActivation?
        public var timings: [String: Double]
    }

    /// Stages 3-5 on a feature table: per-behaviour models, the rule scan on the training cohort, combinations,
    /// Benjamini-Hochberg, diagnostics, ranking, the proposal, and time to value. Everything after this point works
    /// on one row per customer.
    public static func analyse(_ features: FeatureTable, configuration: PipelineConfiguration, dataEndDay: Int) -> Analysis {
        var timings: [String: Double] = [:]
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        var start = clock.now
        // Stage 3: Candidates. Rules are scanned and chosen on the earlier signups; the latest are held out.
        let decidedIndices = features.decidedCustomers
        let split = CohortSplit(customers: features.customers, decided: decidedIndices, holdoutShare: configuration.criteria.holdoutShare)
        var fitter = BehaviourModelFitter()
        fitter.folds = configuration.folds
        var scanner = RuleScanner()
        scanner.windows = configuration.scanWindows
        let (fitterCopy, scannerCopy) = (fitter, scanner)
        var evidence = parallelMap(features.behaviours) { behaviour -> BehaviourEvidence in
            let model = fitterCopy.fit(behaviour, customers: features.customers, decided: decidedIndices)
            let scan = scannerCopy.scan(behaviour, customers: features.customers, split: split)
            return BehaviourEvidence(model: model, scan: scan, best: scannerCopy.best(scan))
        }
        var combinations = scanner.combinations(of: evidence.compactMap(\.best), features: features, split: split)
        // Benjamini-Hochberg over every candidate of the run: with hundreds of rules scanned, some look good by luck.
        let pValues = evidence.flatMap { $0.scan.map(\.training.fisherExactPValue) } + combinations.map(\.training.fisherExactPValue)
        var q = BenjaminiHochberg.adjust(pValues)[...]
        for i in evidence.indices {
            for k in evidence[i].scan.indices { evidence[i].scan[k].qValue = q.removeFirst() }
            if let best = evidence[i].best {
                evidence[i].best = evidence[i].scan.first { $0.definition == best.definition }
            }
        }
        for k in combinations.indices { combinations[k].qValue = q.removeFirst() }
        let diagnoser = CandidateDiagnoser(features: features, split: split, windows: configuration.scanWindows)
        let shortlist = Self.shortlist(evidence: evidence, combinations: combinations)
        let diagnostics = parallelMap(shortlist) { diagnoser.diagnose($0) }
        timings["candidates"] = seconds(clock.now - start)

        // Stages 4 and 5: Ranking and proposal, then how fast the proposed event is reached.
        start = clock.now
        let ranking = BehaviourRanking(evidence)
        let proposal = ActivationProposal(diagnostics: diagnostics, criteria: configuration.criteria)
        var timeToValue: TimeToValue?
        var cohortActivation: CohortActivation?
        if let chosen = proposal.chosen {
            let reachDay = chosen.candidate.definition.reachDays(in: features)
            timeToValue = TimeToValue(customers: features.customers, reachDay: reachDay, windowDays: features.windowDays, dataEndDay: dataEndDay)
            // The rule's own window, the first 30 days, 90 days (past the first window: follow-up counts) and ever.
            let rule = chosen.candidate.definition
            var horizons = Set([rule.windowDays, 30].filter { $0 <= features.windowDays }.map(CohortActivation.Horizon.days))
            horizons.insert(.days(features.followUpHorizon))
            horizons.insert(.ever)
            var reached: [CohortActivation.Horizon: [Bool]] = [:]
            for horizon in horizons {
                switch horizon {
                case .days(let d) where d <= features.windowDays: reached[horizon] = reachDay.map { ($0 ?? .max) < d }
                case .days(let d) where features.hasFollowUp: reached[horizon] = rule.reached(withinDays: d, in: features)
                case .ever where features.hasFollowUp: reached[horizon] = rule.reached(withinDays: nil, in: features)
                default: break
                }
            }
            cohortActivation = CohortActivation(customers: features.customers, horizons: horizons.sorted(), reached: reached, dataEndDay: dataEndDay)
        }
        timings["ranking"] = seconds(clock.now - start)

        return Analysis(split: split, evidence: evidence, combinations: combinations, ranking: ranking, proposal: proposal,
                        timeToValue: timeToValue, cohortActivation: cohortActivation, timings: timings)
    }

    /// `items.map(transform)` on both cores; the results keep the items' order, so the output does not depend on
    /// which core finished first.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let state = ParallelMapState<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: min(2, max(1, items.count))) { _ in
            while let i = state.take() { state.put(transform(items[i]), at: i) }
        }
        return state.values.map { $0! }
    }

    /// The candidates worth the full diagnostics: each behaviour's best rule and the combinations that beat their
    /// parts, each once.
    static func shortlist(evidence: [BehaviourEvidence], combinations: [ThresholdCandidate]) -> [ThresholdCandidate] {
        var seen = Set<ActivationRule>()
        return (evidence.compactMap(\.best) + combinations).filter { $0.youdenJ > 0 && seen.insert($0.definition).inserted }
    }

    /// Stops the run when more than `budget` of the rows were rejected: a broken export must fail the night
    /// loudly rather than produce a report on a fraction of the data.
    static func checkBudget(rejected: Int, read: Int, budget: Double, what: String, file: String, first: RejectedRow?) throws {
        guard read > 0, Double(rejected) > budget * Double(read) else { return }
        var message = "\(file): \(Format.count(rejected)) of \(Format.count(read)) \(what) rejected (\(Format.percent(Double(rejected) / Double(read)))), above the reject budget of \(Format.percent(budget))"
        if let first {
            message += "; first: \(first.file):\(first.line)\(first.column.isEmpty ? "" : " column \(first.column)"): \(first.reason.rawValue), \(first.detail)"
        }
        message += "; fix the export or raise reject_budget (--reject-budget)"
        throw InputError(message)
    }
}

/// Work and results of `Pipeline.parallelMap`, shared by the workers under a lock.
private final class ParallelMapState<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private(set) var values: [R?]
    init(count: Int) { self.count = count; values = Array(repeating: nil, count: count) }
    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
    func put(_ value: R, at i: Int) { lock.lock(); values[i] = value; lock.unlock() }
}
