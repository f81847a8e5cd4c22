import ActivationCore
import ActivationFastPaths
import ActivationStatistics
import Foundation

/// Generates a realistic B2B SaaS export set with known truths planted in it, deterministically from a seed.
///
/// Planted truths (the end-to-end tests check that the pipeline finds each):
/// - `invite_teammate` has a threshold effect at 2: accounts that invite at least two teammates in their first
///   30 days renew far more often (about 90% against 35%); one invite does nothing. Most invites happen in week 1.
///   This must come out as the proposal. Some accounts that missed it invite later (days 30-180).
/// - `login` is near-universal and unrelated to renewal: it must not be proposed.
/// - `set_up_sso` is rare (a few percent) and everyone who does it renews: rejected for reach.
/// - `create_automation` predicts renewal strongly but is usually first done after day 20: rejected for week 1.
/// - `contact_support` goes with churn: a warning sign.
/// - `dismiss_checklist` is harmful: it rises with overall activity, so alone it looks good, but each dismissal lowers
///   renewal once activity is known (a negative term in the true model). The joint model must call it harmful, and
///   it must never be proposed nor shown as an onboarding step.
/// - `invite_email_sent` is logged with every invite (and now and then again, a resend): a near-duplicate of
///   `invite_teammate`, grouped with it by the joint model, never a runner-up of its own.
/// - `sync_calendar` is done far more in bigger segments, which renew more, and does nothing within a segment: it
///   ranks well pooled only through the segment difference, and the within-segment AUC exposes it.
/// - Late invites (past the first window) do not change renewal: late activators renew like those who never do.
/// - the other behaviours are noise of varying volume, or mildly related to renewal (`connect_integration`).
public struct SampleGenerator {
    public var seed: UInt64
    public var accounts = 2000
    /// First and last signup day (days since 1970-01-01): 2025-05-01 to 2026-10-31, 18 months.
    public var firstSignupDay = TimestampParser.daysFromCivil(year: 2025, month: 5, day: 1)
    public var lastSignupDay = TimestampParser.daysFromCivil(year: 2026, month: 10, day: 31)
    /// The exports run until this day (exclusive).
    public var dataEndDay = TimestampParser.daysFromCivil(year: 2026, month: 11, day: 16)
    /// Renewal is decided for accounts that signed up at least this many days before the data end (a 6-month term).
    public var termDays = 183
    /// Days after signup for which events are generated (beyond the 30-day window, to show out-of-window counting).
    public var followUpDays = 45
    /// Share of accounts short of two invites in their first 30 days that invite teammates later (days 30-180): what
    /// the report's activation rates "within 90 days" and "ever" count. They do not change renewal, which the
    /// planted effect ties to the first 30 days.
    public var lateInviteShare = 0.3

    public init(seed: UInt64) { self.seed = seed }

    struct Account {
        var id: String
        var signupDay: Int
        var segment: String
        var acv: Int
        var users: Int
        var engagement: Double
        var outcome: RenewalOutcome
        var renewedLatent: Bool
    }

    struct Event: Comparable {
        var second: Int64
        var account: Int
        var name: String
        var user: Int
        var count: Int
        static func < (a: Event, b: Event) -> Bool {
            (a.second, a.account, a.name, a.user) < (b.second, b.account, b.name, b.user)
        }
    }

    /// Writes `customers.csv`, `events/events-YYYY-MM.csv` and (optionally) a `dirty/` set; returns a summary line.
    public func write(to directory: String, includeDirty: Bool = true) throws -> String {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory)
        let eventsDir = root.appendingPathComponent("events")
        try? fm.removeItem(at: eventsDir)
        try fm.createDirectory(at: eventsDir, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: seed)
        let (accounts, events) = generate(&rng)
        try customersCSV(accounts).write(to: root.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        var byMonth: [String: [Event]] = [:]
        for e in events {
            let (y, m, _) = TimestampParser.civilFromDays(Int(e.second / 86_400))
            byMonth[String(format: "%04d-%02d", y, m), default: []].append(e)
        }
        for (month, rows) in byMonth {
            try eventsCSV(rows, accounts: accounts).write(to: eventsDir.appendingPathComponent("events-\(month).csv"), atomically: true, encoding: .utf8)
        }
        var summary = "wrote \(accounts.count) accounts and \(events.count) event rows in \(byMonth.count) monthly files to \(directory)"
        if includeDirty {
            let dirty = try writeDirty(to: root.appendingPathComponent("dirty"))
            summary += "; \(dirty)"
        }
        return summary
    }

    func date(_ day: Int) -> String { TimestampParser.dateString(day: day) }

    func timestamp(_ second: Int64) -> String {
        let day = Int(second / 86_400)
        let s = Int(second % 86_400)
        return String(format: "%@T%02d:%02d:%02dZ", date(day), s / 3600, (s / 60) % 60, s % 60)
    }

    func customersCSV(_ accounts: [Account]) -> String {
        var csv = CSVWriter(header: ["customer_id", "signup_date", "renewed", "segment", "acv"])
        for a in accounts {
            let renewed: String
            switch a.outcome {
            case .renewed: renewed = "yes"
            case .churned: renewed = "no"
            case .undecided: renewed = ""
            }
            csv.row([a.id, date(a.signupDay), renewed, a.segment, String(a.acv)])
        }
        return csv.text
    }

    func eventsCSV(_ rows: [Event], accounts: [Account]) -> String {
        var csv = CSVWriter(header: ["customer_id", "event", "timestamp", "user_id", "count"])
        for e in rows.sorted() {
            csv.row([accounts[e.account].id, e.name, timestamp(e.second), "\(accounts[e.account].id)-u\(e.user)", e.count == 1 ? "" : String(e.count)])
        }
        return csv.text
    }

    // MARK: Random draws

    static func normal(_ rng: inout SplitMix64) -> Double {
        let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    static func poisson(_ lambda: Double, _ rng: inout SplitMix64) -> Int {
        let l = exp(-lambda)
        var k = 0
        var p = 1.0
        repeat { k += 1; p *= rng.nextUnit() } while p > l
        return k - 1
    }

    static func chance(_ p: Double, _ rng: inout SplitMix64) -> Bool { rng.nextUnit() < p }

    static func uniform(_ range: ClosedRange<Int>, _ rng: inout SplitMix64) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    // MARK: The generative model

    func generate(_ rng: inout SplitMix64) -> ([Account], [Event]) {
        var accounts: [Account] = []
        var events: [Event] = []
        let span = lastSignupDay - firstSignupDay
        for i in 0..<self.accounts {
            let signup = firstSignupDay + Int(rng.next() % UInt64(span + 1))
            let r = rng.nextUnit()
            let segment = r < 0.55 ? "self-serve" : (r < 0.85 ? "mid-market" : "enterprise")
            let (acvRange, userRange): (ClosedRange<Int>, ClosedRange<Int>) = switch segment {
            case "self-serve": (1_200...6_000, 1...3)
            case "mid-market": (10_000...40_000, 3...8)
            default: (60_000...250_000, 6...15)
            }
            let acv = (Self.uniform(acvRange, &rng) / 100) * 100
            let users = Self.uniform(userRange, &rng)
            let engagement = Self.normal(&rng)

            // The planted threshold effect: invites in the first 30 days, mostly in week 1.
            let inviteDraw = rng.nextUnit()
            var invites = inviteDraw < 0.30 ? 0 : inviteDraw < 0.52 ? 1 : inviteDraw < 0.74 ? 2 : inviteDraw < 0.88 ? 3 : 4 + Self.poisson(1, &rng)
            if segment == "self-serve" && invites > 0 && Self.chance(0.15, &rng) { invites -= 1 }
            let activated = invites >= 2
            // The harmful behaviour: its volume rides on engagement, its own effect on renewal is negative.
            let dismissals = Self.poisson(1.0 * exp(1.2 * engagement), &rng)
            let segmentShift = segment == "enterprise" ? 0.6 : (segment == "self-serve" ? -0.4 : 0)
            // Engaged accounts renew somewhat more, whatever they do: every engagement-driven behaviour (login, the
            // everyday ones below, view_notifications) goes with renewal only through overall activity. The
            // adjusted view must expose them as proxies; the invite effect is independent of engagement.
            let z = -1.0 + 4.4 * (activated ? 1 : 0) + segmentShift + 1.8 * engagement - 1.3 * log1p(Double(dismissals))
            var renewed = Self.chance(LogisticRegression.sigmoid(z), &rng)
            let sso = segment != "self-serve" && Self.chance(segment == "enterprise" ? 0.20 : 0.03, &rng)
            if sso { renewed = true }
            let decided = signup + termDays <= dataEndDay
            let outcome: RenewalOutcome = decided ? (renewed ? .renewed : .churned) : .undecided
            let id = String(format: "acct_%04d", i + 1)
            let account = Account(id: id, signupDay: signup, segment: segment, acv: acv, users: users,
                                  engagement: engagement, outcome: outcome, renewedLatent: renewed)
            accounts.append(account)

            let start = Int64(signup) * 86_400
            let end = Int64(min(signup + followUpDays, dataEndDay)) * 86_400
            func emit(_ name: String, day: Double, user: Int, count: Int = 1) {
                let second = start + Int64(day * 86_400) + Int64(Self.uniform(0...3599, &rng))
                guard second < end else { return }
                events.append(Event(second: second, account: i, name: name, user: user, count: count))
            }
            func someUser() -> Int { Self.uniform(1...users, &rng) }

            // Invites: day ~ exponential with mean 2.5 days, capped inside the window; each sends an email, now and
            // then twice (a resend).
            for _ in 0..<invites {
                let day = min(29.9, -2.5 * log(max(rng.nextUnit(), 1e-9)))
                emit("invite_teammate", day: day, user: 1)
                emit("invite_email_sent", day: day, user: 1)
                if Self.chance(0.1, &rng) { emit("invite_email_sent", day: min(29.95, day + 1), user: 1) }
            }
            for _ in 0..<dismissals { emit("dismiss_checklist", day: rng.nextUnit() * 29.9, user: someUser()) }
            // Segment-driven volume, no effect within a segment.
            let calendarRate = segment == "enterprise" ? 3.0 : (segment == "mid-market" ? 1.0 : 0.1)
            for _ in 0..<Self.poisson(calendarRate * 30, &rng) { emit("sync_calendar", day: rng.nextUnit() * 29.9, user: someUser()) }
            // login: near-universal, daily for active users, independent of renewal; one row per user-day with a count.
            let activity = 0.35 + 0.15 * tanh(engagement)
            // Every unit of everyday activity (logins and the behaviours below), by day: notification views follow it.
            var everyday: [Double] = []
            for day in 0..<followUpDays {
                for u in 1...min(users, 3) where Self.chance(u == 1 ? activity + 0.2 : activity * 0.6, &rng) {
                    let count = 1 + Self.poisson(1.2, &rng)
                    everyday += Array(repeating: Double(day) + 0.3, count: count)
                    emit("login", day: Double(day) + 0.3, user: u, count: count)
                }
            }
            // Noise behaviours driven by engagement only.
            let noise: [(String, Double)] = [("view_dashboard", 3.0), ("create_report", 1.2), ("export_csv", 0.8),
                                             ("search", 2.0), ("update_settings", 0.6), ("upload_file", 1.0),
                                             ("comment", 1.4), ("create_project", 1.1)]
            for (name, rate) in noise {
                let lambda = rate * exp(0.9 * engagement) * Double(followUpDays) / 30
                for _ in 0..<Self.poisson(lambda, &rng) {
                    let day = rng.nextUnit() * Double(followUpDays)
                    everyday.append(day)
                    emit(name, day: day, user: someUser())
                }
            }
            // A pure proxy for activity: a notification view follows about one in twelve everyday actions.
            for day in everyday where Self.chance(0.08, &rng) {
                emit("view_notifications", day: min(Double(followUpDays) - 0.01, day + rng.nextUnit() * 0.5), user: someUser())
            }
            // Mildly related to renewal.
            if Self.chance(renewed ? 0.42 : 0.24, &rng) {
                emit("connect_integration", day: rng.nextUnit() * 20, user: someUser())
            }
            // Strong but late: first done after day 20.
            if Self.chance(renewed ? 0.72 : 0.04, &rng) {
                let first = 20 + rng.nextUnit() * 9.5
                emit("create_automation", day: first, user: someUser())
                for _ in 0..<Self.poisson(1.0, &rng) { emit("create_automation", day: first + rng.nextUnit() * 15, user: someUser()) }
            }
            // Rare, and always renews.
            if sso { emit("set_up_sso", day: 1 + rng.nextUnit() * 12, user: 1) }
            // Warning sign: support contacts go with churn.
            for _ in 0..<Self.poisson(renewed ? 0.5 : 2.2, &rng) {
                emit("contact_support", day: rng.nextUnit() * Double(followUpDays), user: someUser())
            }
            // A leak: prepaying the next year is renewal by another name. The sample's config excludes billing_*.
            if Self.chance(renewed ? 0.25 : 0.01, &rng) {
                emit("billing_annual_prepay", day: 3 + rng.nextUnit() * 20, user: 1)
            }
            // Late invites, past the first window, from a stream of their own so that every other draw (and so
            // the first-window data) is what it would be without them.
            var late = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))
            if invites < 2 && Self.chance(lateInviteShare, &late) {
                for _ in 0..<(2 - invites + Self.poisson(0.5, &late)) {
                    let second = start + Int64((30 + late.nextUnit() * 150) * 86_400)
                    guard second < Int64(dataEndDay) * 86_400 else { continue }
                    events.append(Event(second: second, account: i, name: "invite_teammate", user: 1, count: 1))
                }
            }
            // Some trial activity before signup (outside the window).
            if Self.chance(0.05, &rng) {
                let second = start - Int64(Self.uniform(3_600...(3 * 86_400), &rng))
                events.append(Event(second: second, account: i, name: "view_dashboard", user: 1, count: 1))
            }
        }
        return (accounts, events)
    }

    // MARK: Dirty set

    /// A small export set with every kind of damage a real export shows: 11 damaged event rows (one of them an
    /// unterminated quote at the very end) and 6 damaged customer rows, beside two valid but awkward rows
    /// (a quoted comma, a quoted newline) and an exact duplicate customer. The ingest tests pin each one's reason.
    func writeDirty(to root: URL) throws -> String {
        let fm = FileManager.default
        // Only the generated exports are replaced: a config kept beside them (activation.toml) stays.
        try? fm.removeItem(at: root.appendingPathComponent("events"))
        try fm.createDirectory(at: root.appendingPathComponent("events"), withIntermediateDirectories: true)
        var small = self
        small.accounts = 240
        small.followUpDays = 35
        small.lateInviteShare = 0
        var rng = SplitMix64(seed: seed &+ 1)
        let (accounts, events) = small.generate(&rng)

        var customers = customersCSV(accounts)
        let first = accounts[0], second = accounts[1]
        customers += "\(first.id),\(date(first.signupDay)),\(first.outcome == .renewed ? "yes" : (first.outcome == .churned ? "no" : "")),\(first.segment),\(first.acv)\n"  // identical duplicate
        customers += "\(second.id),2020-01-01,yes,enterprise,1000\n"  // conflicting duplicate
        customers += "acct_9001,2026-02-30,yes,self-serve,1200\n"      // impossible date
        customers += "acct_9002,2026-01-10,maybe,self-serve,1200\n"    // unrecognised renewal
        customers += "acct_9003,2026-01-10,no,self-serve,lots\n"       // invalid ACV
        customers += ",2026-01-10,no,self-serve,1200\n"                // empty id
        customers += "acct_9004,2026-01-10,no\n"                       // wrong field count
        try customers.write(to: root.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)

        let sorted = events.sorted()
        let half = sorted.count / 2
        // File 1: a UTF-8 BOM, CRLF line ends, a quoted event name with a comma and one with a newline, and bad rows.
        var a = "\u{FEFF}" + eventsCSV(Array(sorted[..<half]), accounts: accounts).replacingOccurrences(of: "\n", with: "\r\n")
        let id = accounts[2].id
        let day = date(accounts[2].signupDay)
        a += "\(id),\"export, csv\",\(day)T10:00:00Z,\(id)-u1,\r\n"              // valid: quoted comma
        a += "\(id),\"multi\nline\",\(day)T10:00:00Z,\(id)-u1,\r\n"              // valid: quoted newline
        a += "\(id),login,\(day)T25:00:00Z,\(id)-u1,\r\n"                       // unparsable timestamp
        a += "\(id),login,yesterday,\(id)-u1,\r\n"                              // unparsable timestamp
        a += ",login,\(day)T10:00:00Z,u1,\r\n"                                 // empty customer id
        a += "\(id),login,\(day)T10:00:00Z,\(id)-u1,-2\r\n"                     // negative count
        a += "\(id),login,\(day)T10:00:00Z,\(id)-u1,2.5\r\n"                    // non-integer count
        a += "acct_7777,login,\(day)T10:00:00Z,u1,\r\n"                         // unknown customer
        a += "\(id),login,\(day)T10:00:00Z\r\n"                                 // wrong field count
        a += "\(id),log\"in,\(day)T10:00:00Z,\(id)-u1,\r\n"                     // stray quote
        a += "\(id),,\(day)T10:00:00Z,\(id)-u1,\r\n"                            // empty event
        var aBytes = Array(a.utf8)
        aBytes += Array("\(id),bad_\u{00E9}vent,\(day)T10:00:00Z,\(id)-u1,\r\n".utf8).map { $0 == 0xC3 ? 0xFF : $0 }  // invalid UTF-8
        try Data(aBytes).write(to: root.appendingPathComponent("events/events-a.csv"))
        // File 2: epoch-second timestamps, no trailing newline, and an unterminated quote at the very end.
        var b = "customer_id,event,timestamp,user_id,count\n"
        for e in sorted[half...] {
            b += "\(accounts[e.account].id),\(e.name),\(e.second),\(accounts[e.account].id)-u\(e.user),\(e.count == 1 ? "" : String(e.count))\n"
        }
        b += "\(id),login,\(day),\(id)-u1,\n"
        b += "\(id),\"never closed,\(day)T10:00:00Z,\(id)-u1,"
        try b.write(to: root.appendingPathComponent("events/events-b.csv"), atomically: true, encoding: .utf8)
        // File 3: a re-export that overlaps file 2 (150 of its rows inside a first window, again), from a newer
        // tracking SDK that writes ISO timestamps and spells invite_teammate "Invite Sent". With the set's config
        // (rename + deduplicate) all 150 are recognised as duplicates; without it they count twice.
        var c = "customer_id,event,timestamp,user_id,count\n"
        let inWindow = sorted[half...].filter { e in
            let offset = e.second - Int64(accounts[e.account].signupDay) * 86_400
            return offset >= 0 && offset < 30 * 86_400
        }
        let step = max(1, inWindow.count / 150)
        for e in stride(from: inWindow.startIndex, to: inWindow.endIndex, by: step).prefix(150).map({ inWindow[$0] }) {
            let name = e.name == "invite_teammate" ? "Invite Sent" : e.name
            c += "\(accounts[e.account].id),\(name),\(timestamp(e.second)),\(accounts[e.account].id)-u\(e.user),\(e.count == 1 ? "" : String(e.count))\n"
        }
        try c.write(to: root.appendingPathComponent("events/events-c-overlap.csv"), atomically: true, encoding: .utf8)
        return "dirty set: \(accounts.count) accounts, \(events.count) clean event rows plus 11 damaged rows, 6 damaged customer rows and a 150-row overlapping re-export"
    }
}
