import ActivationAnalysis
import ActivationCore
import ActivationFastPaths
import ActivationFeatures
import ActivationPipeline
import Foundation

/// The CSV and JSON files for data teams.
public enum DataFiles {
    /// `behaviours.csv`: one row per behaviour, candidates by AUC, then warning signs, then unranked.
    public static func behaviours(_ result: PipelineResult) -> String {
        var csv = CSVWriter(header: ["rank", "behaviour", "role", "customers", "reached_any", "auc", "auc_ci_low", "auc_ci_high",
                                     "cv_auc", "intercept", "coef", "odds_ratio", "std_error", "p_value", "best_threshold", "best_window_days",
                                     "reach_rate", "renew_rate_reached", "renew_rate_not_reached", "churn_ratio",
                                     "rule_auc", "median_day_reached", "flags", "stratified_auc", "driver_role"])
        func row(_ e: BehaviourEvidence, rank: String, role: String) {
            let m = e.model, b = e.best
            let ci = m.auc.confidenceInterval()
            // A warning sign's reach and renewal rates are those of doing it at all, not of its best "≥ N" rule.
            let t = role == "warning_sign" ? e.didItAtAll : b?.table
            csv.row([rank, m.behaviour, role, String(m.customers), String(m.reachedAny), Format.exact(m.auc.auc),
                     Format.exact(ci.lowerBound), Format.exact(ci.upperBound), Format.exact(m.crossValidatedAUC),
                     Format.exact(m.intercept), Format.exact(m.coefficient), Format.exact(m.oddsRatio),
                     Format.exact(m.standardError), Format.exact(m.pValue), b.map { String($0.threshold) } ?? "",
                     b.map { String($0.windowDays) } ?? "",
                     Format.exact(t?.reachRate), Format.exact(t?.renewRateReached),
                     Format.exact(t?.renewRateNotReached), Format.exact(t?.churnRatio),
                     Format.exact(b?.table.binaryAUC), Format.exact(b?.medianDayReached),
                     m.flags.map(\.rawValue).joined(separator: ";"), Format.exact(e.driver?.stratifiedAUC),
                     e.driver?.role.rawValue ?? ""])
        }
        for (i, e) in result.ranking.candidates.enumerated() { row(e, rank: String(i + 1), role: "candidate") }
        for e in result.ranking.warningSigns { row(e, rank: "", role: "warning_sign") }
        for e in result.ranking.noClearLink { row(e, rank: "", role: "no_clear_link") }
        for e in result.ranking.unranked { row(e, rank: "", role: "unranked") }
        return csv.text
    }

    /// `thresholds.csv`: every scanned rule, one row each: single behaviours by behaviour (byte order), window and
    /// threshold, then the kept combinations. The 2×2 statistics are on the training cohort (where rules are
    /// chosen); `holdout_*` columns measure the same rule on the most recent signups; `bh_q` is over all rows.
    public static func thresholds(_ result: PipelineResult) -> String {
        var csv = CSVWriter(header: ["rule", "behaviours", "thresholds", "window_days", "reached_renewed", "reached_churned",
                                     "not_reached_renewed", "not_reached_churned", "reach_rate", "renew_rate_reached",
                                     "renew_rate_not_reached", "lift", "churn_ratio", "odds_ratio", "odds_ratio_haldane",
                                     "odds_ratio_ci_low", "odds_ratio_ci_high", "precision", "npv", "recall", "specificity",
                                     "youden_j", "phi", "rule_auc", "rule_auc_ci_low", "rule_auc_ci_high", "fisher_p", "bh_q", "median_day_reached",
                                     "holdout_reached_renewed", "holdout_reached_churned", "holdout_not_reached_renewed",
                                     "holdout_not_reached_churned", "holdout_rule_auc", "holdout_auc_ci_low", "holdout_auc_ci_high", "adjusted_odds_ratio",
                                     "adjusted_ci_low", "adjusted_ci_high", "best_for_behaviour", "proposed"])
        let diagnosed = Dictionary(result.proposal.evaluations.map { ($0.candidate.definition, $0.diagnostics) }, uniquingKeysWith: { a, _ in a })
        func row(_ c: ThresholdCandidate, best: Bool) {
            let t = c.training, h = c.holdout
            let or = t.correctedOddsRatio()
            let adjusted = diagnosed[c.definition]?.adjusted
            let holdoutCI = diagnosed[c.definition]?.holdoutAUC.confidenceInterval()
            let trainingCI = diagnosed[c.definition]?.trainingAUC.confidenceInterval()
            csv.row([c.rule, c.definition.behaviours.joined(separator: ";"),
                     c.definition.conditions.map { String($0.threshold) }.joined(separator: ";"), String(c.windowDays),
                     String(t.reachedRenewed), String(t.reachedChurned), String(t.notReachedRenewed), String(t.notReachedChurned),
                     Format.exact(t.reachRate), Format.exact(t.renewRateReached), Format.exact(t.renewRateNotReached),
                     Format.exact(t.lift), Format.exact(t.churnRatio), Format.exact(t.oddsRatio), Format.exact(or.estimate),
                     Format.exact(or.low), Format.exact(or.high), Format.exact(t.precision), Format.exact(t.negativePredictiveValue),
                     Format.exact(t.recall), Format.exact(t.specificity), Format.exact(t.youdenJ), Format.exact(t.phi),
                     Format.exact(t.binaryAUC), Format.exact(trainingCI?.lowerBound), Format.exact(trainingCI?.upperBound),
                     Format.exact(t.fisherExactPValue), Format.exact(c.qValue),
                     Format.exact(c.medianDayReached), String(h.reachedRenewed), String(h.reachedChurned),
                     String(h.notReachedRenewed), String(h.notReachedChurned), Format.exact(h.binaryAUC),
                     Format.exact(holdoutCI?.lowerBound), Format.exact(holdoutCI?.upperBound),
                     Format.exact(adjusted?.oddsRatio), Format.exact(adjusted?.interval?.lowerBound),
                     Format.exact(adjusted?.interval?.upperBound), best ? "true" : "false",
                     result.proposal.chosen?.candidate.definition == c.definition ? "true" : "false"])
        }
        for e in result.features.behaviours.map(\.name) {
            guard let evidence = result.ranking.all.first(where: { $0.name == e }) else { continue }
            for c in evidence.scan { row(c, best: evidence.best?.definition == c.definition) }
        }
        for c in result.combinations { row(c, best: false) }
        return csv.text
    }

    /// `at_risk.csv`: the accounts to act on, as the report splits them (`ActionLists`): every account that has not
    /// reached the proposed event and can still be steered or watched (inside the rule's window, or past it with
    /// renewal undecided), with its `action`: `nudge_today`, `csm_this_week`, `not_due_yet` or `past_window`. In that
    /// order, fewest days left first for the nudges, highest ACV first for the others. The CSM bar is each segment's
    /// own top quarter of ACV (`PlaybookStep.highACV`). Accounts that met the thresholds late are listed (progress
    /// "… (met late)") unless the early-activation finding says late activation goes with renewal.
    package static func atRisk(_ lists: ActionLists) -> String {
        var csv = CSVWriter(header: ["customer_id", "segment", "acv", "signup_date", "days_since_signup", "days_left_in_window",
                                     "progress", "days_since_last_activity", "renewal", "action"])
        for a in lists.accounts {
            let progress = a.progress.map { "\(min($0.count, $0.threshold)) of \($0.threshold) \($0.behaviour)" }.joined(separator: ", ")
            csv.row([a.id, a.segment, a.acv.map { Format.exact($0) } ?? "", TimestampParser.dateString(day: a.signupDay),
                     String(a.daysSinceSignup), String(a.daysLeft), progress + (a.reachedLate ? " (met late)" : ""),
                     a.daysSinceLastActivity.map(String.init) ?? "", a.renewal.rawValue, a.action.rawValue])
        }
        return csv.text
    }

    /// `first_window_daily.csv`: the feature stage's full output in long form, one row per customer, behaviour and
    /// day with events: `customer_id,behaviour,day,events,users,data_end`. `users` is the customer's distinct users of
    /// the behaviour over the whole window (repeated on each of its rows; empty without a user column); `data_end`
    /// the last day the event data covers. It is what `activation sql` computes on a warehouse, and what
    /// `activation run --features` reads back: every later stage needs daily resolution (windows, time to value).
    /// After the window, two follow-up rows at most (empty `users`): `day` = window for the events up to the follow-up
    /// horizon (day 90), `day` = the horizon for the events on or after it.
    public static func firstWindowDaily(_ table: FeatureTable, dataEndDay: Int) -> String {
        text { withFirstWindowDaily(table, dataEndDay: dataEndDay, emit: $0) }
    }

    /// The whole text a chunked writer (`withFirstWindowDaily`, `withFeatures`) emits.
    package static func text(_ write: ((UnsafeRawBufferPointer) -> Void) -> Void) -> String {
        var bytes: [UInt8] = []
        write { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Builds `first_window_daily.csv` and hands its bytes to `emit` in order, a chunk at a time (each chunk is
    /// reused once `emit` returns: write it, do not keep it).
    ///
    /// The file is by far the largest (millions of rows, 180 MB at 80,000 customers). It is assembled from ready-made
    /// pieces (a customer and behaviour's "id,name," and ",users,data_end\n", made once for all its days, and "day,"),
    /// with each behaviour's arrays opened once rather than looked up per row, into one small buffer (`chunkBytes`, half a MiB: it stays in the core's cache) that is emitted
    /// whenever the next row might not fit. An earlier version built the whole file in one buffer first: 180 MB of
    /// fresh pages to fault in and zero, then copied by `write(2)` from memory no cache held.
    public static func withFirstWindowDaily(_ table: FeatureTable, dataEndDay: Int, chunkBytes: Int = 1 << 19,
                                            emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let window = table.windowDays, horizon = table.followUpHorizon
        let comma: UInt8 = 0x2C
        let header = Array("customer_id,behaviour,day,events,users,data_end\n".utf8)
        let ids = BytePieces(table.customers.map { CSVWriter.encoded($0.id) + [comma] })
        let names = BytePieces(table.behaviours.map { CSVWriter.encoded($0.name) + [comma] })
        let days = BytePieces((0...max(window, horizon)).map { Array(String($0).utf8) + [comma] })
        let end = [comma] + CSVWriter.encoded(TimestampParser.dateString(day: dataEndDay)) + [0x0A]
        // A row is a customer and behaviour's prefix ("id,name,"), the day, the events, and a suffix
        // (",users,data_end\n", the same on each of the pair's rows): at most the longest of each, 10 digits apiece.
        let longestPrefix = ids.longest + names.longest
        let longestSuffix = 1 + 10 + end.count
        let longest = longestPrefix + days.longest + 10 + longestSuffix
        // Emptied before each customer's behaviour once past `chunkBytes`: room for one more behaviour's rows
        // (its active days and two follow-up rows) is kept above it.
        let flushAt = max(chunkBytes, header.count)
        var out = RowScratch(capacity: flushAt + (window + 2) * longest)
        out.append(header)
        var prefix = RowScratch(capacity: longestPrefix), suffix = RowScratch(capacity: longestSuffix)
        var laterSuffix = RowScratch(capacity: longestSuffix)
        laterSuffix.append([comma] + end)
        // Each behaviour's arrays opened once, not looked up through an array of arrays per row.
        let hasUsers = table.behaviours.map(\.hasUsers)
        // Customers in order, and each behaviour's doers, customers with users and with follow-up counts ascending:
        // one cursor per behaviour and list walks it.
        var next = [Int](repeating: 0, count: names.count), nextUser = next, nextLater = next
        try withExtendedLifetime((ids, names, days)) {
            try withBuffers(table.behaviours.map(\.daily.doers)) { doers in
                try withBuffers(table.behaviours.map(\.daily.cellStart)) { cellStart in
                    try withBuffers(table.behaviours.map(\.daily.days)) { dayOf in
                        try withBuffers(table.behaviours.map(\.daily.events)) { eventsOf in
                            try withBuffers(table.behaviours.map(\.laterCustomers)) { laterCustomers in
                                try withBuffers(table.behaviours.map(\.laterWithin)) { laterWithinOf in
                                    try withBuffers(table.behaviours.map(\.laterAfter)) { laterAfterOf in
                                        try withBuffers(table.behaviours.map { $0.distinctUsers?.customers ?? [] }) { userCustomers in
                                            try withBuffers(table.behaviours.map { $0.distinctUsers?.values ?? [] }) { userValues in
                                                for c in 0..<table.customers.count {
                                                    for k in 0..<names.count {
                                                        var laterWithin: UInt32 = 0, laterAfter: UInt32 = 0
                                                        let l = nextLater[k]
                                                        if l < laterCustomers[k].count && Int(laterCustomers[k][l]) == c {
                                                            laterWithin = laterWithinOf[k][l]; laterAfter = laterAfterOf[k][l]
                                                            nextLater[k] = l + 1
                                                        }
                                                        let doer = next[k]
                                                        let did = doer < doers[k].count && Int(doers[k][doer]) == c
                                                        guard did || laterWithin > 0 || laterAfter > 0 else { continue }
                                                        if out.count >= flushAt { try out.withBytes(emit); out.removeAll() }
                                                        prefix.removeAll()
                                                        prefix.append(ids[c])
                                                        prefix.append(names[k])
                                                        if did {
                                                            next[k] = doer + 1
                                                            suffix.removeAll()
                                                            suffix.append(comma)
                                                            if hasUsers[k] {
                                                                let users = Self.value(of: c, ids: userCustomers[k], values: userValues[k], cursor: &nextUser[k])
                                                                suffix.appendDigits(UInt64(users))
                                                            }
                                                            suffix.append(end)
                                                            for i in Int(cellStart[k][doer])..<Int(cellStart[k][doer + 1]) {
                                                                out.appendRow(prefix, days[Int(dayOf[k][i])], events: eventsOf[k][i], suffix)
                                                            }
                                                        }
                                                        if laterWithin > 0 { out.appendRow(prefix, days[window], events: laterWithin, laterSuffix) }
                                                        if laterAfter > 0 { out.appendRow(prefix, days[horizon], events: laterAfter, laterSuffix) }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if out.count > 0 { try out.withBytes(emit) }
    }

    /// The value of customer `c` in a list of customers ascending (`ids`) and their `values`, 0 when it has none,
    /// for a walk over customers in order: `cursor` moves past the customers before `c`.
    @inline(__always)
    private static func value(of c: Int, ids: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Int32>, cursor: inout Int) -> Int {
        var u = cursor
        while u < ids.count && Int(ids[u]) < c { u += 1 }
        cursor = u
        return u < ids.count && Int(ids[u]) == c ? Int(values[u]) : 0
    }

    /// Calls `body` with every array's elements as buffers, in order (each array stays alive and in place
    /// meanwhile): for loops over millions of cells, one array per behaviour.
    ///
    /// Up to `nestedLimit` arrays are opened in place, one `withUnsafeBufferPointer` inside the other (no copy);
    /// more are copied into buffers of their own. Opening thousands of behaviours by nesting overflowed the stack
    /// (about 7,000 behaviours: SIGSEGV); the nesting is now at most `nestedLimit` deep whatever the behaviours.
    package static func withBuffers<T, R>(_ arrays: [[T]], nestedLimit: Int = 64,
                                          _ body: ([UnsafeBufferPointer<T>]) throws -> R) rethrows -> R {
        guard arrays.count <= nestedLimit else {
            let copies = arrays.map { array -> UnsafeMutableBufferPointer<T> in
                let copy = UnsafeMutableBufferPointer<T>.allocate(capacity: array.count)
                _ = copy.initialize(from: array)
                return copy
            }
            defer { for copy in copies { copy.deinitialize().deallocate() } }
            return try body(copies.map { UnsafeBufferPointer($0) })
        }
        var buffers: [UnsafeBufferPointer<T>] = []
        buffers.reserveCapacity(arrays.count)
        // Bounded by `nestedLimit`: at most that many frames deep.
        func open(_ i: Int) throws -> R {
            if i == arrays.count { return try body(buffers) }
            return try arrays[i].withUnsafeBufferPointer { buffer in
                buffers.append(buffer)
                return try open(i + 1)
            }
        }
        return try open(0)
    }

    /// `features.csv`: one row per customer, then per behaviour its count, first day and active days
    /// (and distinct users when the exports carry a user column).
    public static func features(_ table: FeatureTable) -> String {
        text { withFeatures(table, emit: $0) }
    }

    /// Builds `features.csv` (13 MB at 80,000 customers) and hands its bytes to `emit` in order, a chunk at a time, as
    /// `withFirstWindowDaily` does: rows assembled from ready-made pieces (ids, dates, segments) and digits in a
    /// reused buffer, with each behaviour's arrays opened once.
    public static func withFeatures(_ table: FeatureTable, chunkBytes: Int = 1 << 19,
                                    emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var header = ["customer_id", "signup_date", "segment", "renewed"]
        for b in table.behaviours {
            header += ["\(b.name)_count", "\(b.name)_first_day", "\(b.name)_active_days"]
            if b.hasUsers { header.append("\(b.name)_users") }
        }
        let comma: UInt8 = 0x2C
        let ids = BytePieces(table.customers.map { CSVWriter.encoded($0.id) + [comma] })
        // Signup dates, segments and outcomes repeat: each written once, ending in its comma.
        let (dates, dateOf) = BytePieces.distinct(table.customers.map(\.signupDay)) {
            CSVWriter.encoded(TimestampParser.dateString(day: $0)) + [comma]
        }
        let (segments, segmentOf) = BytePieces.distinct(table.customers.map(\.segment)) { CSVWriter.encoded($0) + [comma] }
        let outcomes = BytePieces([Array("true".utf8), Array("false".utf8), []])
        let hasUsers = table.behaviours.map(\.hasUsers)
        let longest = ids.longest + dates.longest + segments.longest + 5
            + table.behaviours.count * (3 * 20 + 4) + 1
        let headerBytes = CSVWriter(header: header).bytes
        let flushAt = max(chunkBytes, headerBytes.count)
        var out = RowScratch(capacity: flushAt + longest)
        out.append(headerBytes)
        @inline(__always) func number(_ value: Int) {
            if value < 0 { out.append(0x2D) }
            out.appendDigits(UInt64(value.magnitude))
        }
        // Each behaviour's doers and customers with users ascending: one cursor per behaviour and list walks it, so
        // a customer's features are read without a dense vector per behaviour.
        var next = [Int](repeating: 0, count: table.behaviours.count), nextUser = next
        try withExtendedLifetime((ids, dates, segments, outcomes)) {
            try withBuffers(table.behaviours.map(\.daily.doers)) { doers in
                try withBuffers(table.behaviours.map(\.doerCounts)) { counts in
                    try withBuffers(table.behaviours.map(\.daily.cellStart)) { cellStart in
                        try withBuffers(table.behaviours.map(\.daily.days)) { dayOf in
                            try withBuffers(table.behaviours.map { $0.distinctUsers?.customers ?? [] }) { userCustomers in
                                try withBuffers(table.behaviours.map { $0.distinctUsers?.values ?? [] }) { userValues in
                                    for (c, customer) in table.customers.enumerated() {
                                        if out.count >= flushAt { try out.withBytes(emit); out.removeAll() }
                                        out.append(ids[c])
                                        out.append(dates[dateOf[c]])
                                        out.append(segments[segmentOf[c]])
                                        switch customer.outcome {
                                        case .renewed: out.append(outcomes[0])
                                        case .churned: out.append(outcomes[1])
                                        case .undecided: break
                                        }
                                        for k in 0..<doers.count {
                                            let doer = next[k]
                                            if doer < doers[k].count && Int(doers[k][doer]) == c {
                                                next[k] = doer + 1
                                                let start = Int(cellStart[k][doer]), end = Int(cellStart[k][doer + 1])
                                                out.append(comma); number(counts[k][doer])
                                                out.append(comma); number(Int(dayOf[k][start]))
                                                out.append(comma); number(end - start)
                                            } else {
                                                out.append(comma); number(0)
                                                out.append(comma)
                                                out.append(comma); number(0)
                                            }
                                            if hasUsers[k] {
                                                out.append(comma)
                                                number(Self.value(of: c, ids: userCustomers[k], values: userValues[k], cursor: &nextUser[k]))
                                            }
                                        }
                                        out.append(0x0A)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if out.count > 0 { try out.withBytes(emit) }
    }

    /// `rejects.csv`: every row not used, with file, line, column, reason and the raw text.
    public static func rejects(_ rows: [RejectedRow]) -> String {
        var csv = CSVWriter(header: ["file", "line", "column", "reason", "detail", "raw"])
        for r in rows { csv.row([r.file, String(r.line), r.column, r.reason.rawValue, r.detail, r.raw]) }
        return csv.text
    }

    package struct RunRecord: Encodable {
        package struct Customers: Codable, Equatable {
            package var file: InputFile
            package var rowsRead: Int
            package var customers: Int
            package var decided: Int
            package var renewed: Int
            package var churned: Int
            package var undecided: Int
            package var identicalDuplicates: Int
            package var rejected: [String: Int]
            package enum CodingKeys: String, CodingKey {
                case file, rowsRead = "rows_read", customers, decided, renewed, churned, undecided,
                     identicalDuplicates = "identical_duplicates", rejected
            }
        }
        package struct Events: Encodable {
            package var files: [EventFileAccounting]
            package var rowsRead: Int
            package var used: Int
            package var beforeSignup: Int
            package var afterWindow: Int
            package var excluded: Int
            package var duplicates: Int
            package var rejected: Int
            package enum CodingKeys: String, CodingKey {
                case files, rowsRead = "rows_read", used, beforeSignup = "before_signup", afterWindow = "after_window",
                     excluded, duplicates, rejected
            }
        }
        package struct UserAccounts: Codable, Equatable {
            package var file: InputFile
            package var rowsRead: Int
            package var users: Int
            package var identicalDuplicates: Int
            package var rejected: Int
            package enum CodingKeys: String, CodingKey {
                case file, rowsRead = "rows_read", users, identicalDuplicates = "identical_duplicates", rejected
            }
        }
        package var tool: String
        package var version: String
        package var options: PipelineConfiguration
        package var customers: Customers
        package var userAccounts: UserAccounts?
        package var events: Events
        package var behaviours: Int
        package var proposal: String?
        package var summary: RunSummary
        package var timingsSeconds: [String: Double]
        /// How many exports came from the cache (like the timings, it changes from run to run with the same result).
        package var cache: ExportCacheStatistics?
        /// How much evidence the run had and what it set aside.
        package var checks: Evidence
        package enum CodingKeys: String, CodingKey {
            case tool, version, options, customers, userAccounts = "user_accounts", events, behaviours, proposal, summary,
                 timingsSeconds = "timings_seconds", cache, checks
        }
    }

    /// `run.json`: inputs with sizes and SHA-256, options, row accounting, timings and the tool version.
    public static func runRecord(_ result: PipelineResult, timings: [String: Double]) throws -> String {
        try runRecord(RunRecordInputs(result), proposal: result.proposal.chosen?.candidate.rule, summary: RunSummary(result),
                      timings: timings)
    }

    /// What run.json holds besides the analysis's two answers (the proposal's rule and the run's summary).
    package struct RunRecordInputs {
        var configuration: PipelineConfiguration
        var customers: RunRecord.Customers
        var userAccounts: RunRecord.UserAccounts?
        var eventFiles: [EventFileAccounting]
        var behaviours: Int
        var cacheStatistics: ExportCacheStatistics?
        var evidence: Evidence

        init(_ r: some InputsRead) {
            let outcomes = r.customers.table.outcomeCounts
            var customerRejects: [String: Int] = [:]
            for x in r.customers.rejects { customerRejects[x.reason.rawValue, default: 0] += 1 }
            customers = .init(file: r.customerFile, rowsRead: r.customers.rowsRead, customers: r.customers.table.count,
                              decided: outcomes.renewed + outcomes.churned, renewed: outcomes.renewed,
                              churned: outcomes.churned, undecided: outcomes.undecided,
                              identicalDuplicates: r.customers.identicalDuplicates, rejected: customerRejects)
            userAccounts = r.userAccountsFile.flatMap { file in
                r.userAccounts.map { .init(file: file, rowsRead: $0.rowsRead, users: $0.userCount,
                                           identicalDuplicates: $0.identicalDuplicates, rejected: $0.rejects.count) }
            }
            (configuration, eventFiles, behaviours, cacheStatistics, evidence) =
                (r.configuration, r.eventFiles, r.features.behaviours.count, r.cacheStatistics, r.evidence)
        }

        /// A run that read nothing new: the figures of the run whose reports it takes (`ReportMemo.Inputs`), with its
        /// own configuration (the same, by the memo's key) and cache counts.
        init(configuration: PipelineConfiguration, inputs: ReportMemo.Inputs, cacheStatistics: ExportCacheStatistics?) {
            self.configuration = configuration
            (customers, userAccounts, eventFiles, behaviours, evidence) =
                (inputs.customers, inputs.userAccounts, inputs.eventFiles, inputs.behaviours, inputs.evidence)
            self.cacheStatistics = cacheStatistics
        }
    }

    package static func runRecord(_ result: RunRecordInputs, proposal: String?, summary: RunSummary,
                                  timings: [String: Double]) throws -> String {
        let files = result.eventFiles
        let record = RunRecord(
            tool: "activation", version: ActivationDiscovery.version, options: result.configuration,
            customers: result.customers, userAccounts: result.userAccounts,
            events: .init(files: files, rowsRead: files.reduce(0) { $0 + $1.rowsRead }, used: files.reduce(0) { $0 + $1.used },
                          beforeSignup: files.reduce(0) { $0 + $1.beforeSignup }, afterWindow: files.reduce(0) { $0 + $1.afterWindow },
                          excluded: files.reduce(0) { $0 + $1.excluded }, duplicates: files.reduce(0) { $0 + $1.duplicates },
                          rejected: files.reduce(0) { $0 + $1.rejectedTotal }),
            behaviours: result.behaviours,
            proposal: proposal,
            summary: summary,
            timingsSeconds: timings.mapValues { ($0 * 1000).rounded() / 1000 }, cache: result.cacheStatistics,
            checks: result.evidence)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
    }
}
