import ActivationCore
import ActivationStatistics
import Foundation

/// Generates one large export in a chosen shape for `make bench` (`activation sample --shape single`): a customer
/// table and a single time-ordered `events.csv` of about `rows` rows, with `behaviours` behaviours and, optionally, a
/// `user_id` column of distinct users per account. Deterministic from the seed; streamed to disk day by day, so a
/// 1.6 GB export needs about 16 bytes of memory per row, not the text.
///
/// The model is deliberately simple (the bench measures speed, not the analysis): each account has a signup day, an
/// engagement level and a segment; its rows are spread over the behaviours with Zipf-like weights and an
/// account-level taste per behaviour, 30% of them in the first 30 days and the rest over its life (up to
/// `followUpDays` after signup, or the data's end), a few before signup (trial activity). One behaviour, `invite`,
/// carries a planted threshold effect on renewal (two or more in the first 30 days), so that the pipeline's analysis
/// has something real to find, and engagement raises renewal too.
public struct BenchExportGenerator {
    public var seed: UInt64
    public var accounts = 32_000
    public var behaviours = 8
    public var rows = 44_000_000
    public var userColumn = false
    /// Days of usage after each signup (clipped at the data's end).
    public var followUpDays = 365
    public var firstSignupDay = TimestampParser.daysFromCivil(year: 2025, month: 5, day: 1)
    public var lastSignupDay = TimestampParser.daysFromCivil(year: 2026, month: 10, day: 31)
    public var dataEndDay = TimestampParser.daysFromCivil(year: 2026, month: 11, day: 16)
    public var termDays = 183

    public init(seed: UInt64) { self.seed = seed }

    /// Behaviour names: short everyday ones first (the 8-behaviour shape's rows stay ~34 bytes), then longer ones,
    /// then numbered features for wide shapes (the memory bench's 200 behaviours).
    static let names = ["login", "view", "search", "edit", "share", "export", "upload", "invite",
                        "view_dashboard", "create_report", "comment", "create_project", "update_settings",
                        "sync_calendar", "connect_integration", "create_automation", "contact_support",
                        "view_notifications", "dismiss_checklist", "add_widget", "schedule_report", "run_query",
                        "download_pdf", "set_up_sso", "archive_project"]

    static func behaviourName(_ b: Int) -> String { b < names.count ? names[b] : String(format: "feature_%03d", b) }

    struct Row: Comparable {
        /// second of the day << 40 | account << 12 | behaviour
        var key: UInt64
        var user: UInt32
        static func < (a: Row, b: Row) -> Bool { (a.key, a.user) < (b.key, b.user) }
    }

    /// Writes `customers.csv` and `events.csv` into `directory`; returns a summary line.
    public func write(to directory: String) throws -> String {
        precondition(behaviours >= 1 && behaviours <= 4095 && accounts < (1 << 28))
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: seed)
        let invite = behaviours > 7 ? 7 : -1
        let firstDay = firstSignupDay - 3
        var buckets = [[Row]](repeating: [], count: dataEndDay - firstDay)
        var customers = "customer_id,signup_date,renewed,segment,acv\n"
        var userBase: [UInt32] = []
        var nextUser: UInt32 = 1
        let perAccount = Double(rows) / Double(accounts)
        let baseWeights = (0..<behaviours).map { b in b == invite ? 0 : 1 / pow(Double(b + 1), 0.9) }
        let idWidth = max(5, String(accounts).count)
        func accountID(_ i: Int) -> String {
            let n = String(i + 1)
            return (userColumn ? "acct_" : "c") + String(repeating: "0", count: max(0, idWidth - n.count)) + n
        }
        var written = 0
        for i in 0..<accounts {
            let signup = firstSignupDay + Int(rng.next() % UInt64(lastSignupDay - firstSignupDay + 1))
            let r = rng.nextUnit()
            let segment = r < 0.55 ? "self-serve" : (r < 0.85 ? "mid-market" : "enterprise")
            let users = segment == "self-serve" ? 1 + Int(rng.next() % 3) : (segment == "mid-market" ? 3 + Int(rng.next() % 8) : 8 + Int(rng.next() % 33))
            userBase.append(nextUser)
            nextUser += UInt32(users)
            let acv = segment == "self-serve" ? 1_200 + Int(rng.next() % 48) * 100 : (segment == "mid-market" ? 10_000 + Int(rng.next() % 300) * 100 : 60_000 + Int(rng.next() % 1_900) * 100)
            let engagement = SampleGenerator.normal(&rng)
            let draw = rng.nextUnit()
            let invites = invite < 0 ? 0 : (draw < 0.30 ? 0 : draw < 0.52 ? 1 : draw < 0.74 ? 2 : draw < 0.88 ? 3 : 4 + SampleGenerator.poisson(1, &rng))
            let z = -1.0 + 3.0 * (invites >= 2 ? 1 : 0) + 1.0 * engagement + (segment == "enterprise" ? 0.5 : 0)
            let renewed = SampleGenerator.chance(LogisticRegression.sigmoid(z), &rng)
            let decided = signup + termDays <= dataEndDay
            customers += "\(accountID(i)),\(TimestampParser.dateString(day: signup)),\(decided ? (renewed ? "yes" : "no") : ""),\(segment),\(acv)\n"

            // This account's taste for each behaviour, and its number of rows.
            var cumulative = [Double](repeating: 0, count: behaviours)
            var total = 0.0
            for b in 0..<behaviours {
                total += baseWeights[b] * exp(0.8 * SampleGenerator.normal(&rng))
                cumulative[b] = total
            }
            let lambda = perAccount * exp(0.6 * engagement - 0.18)
            let n = max(0, Int((lambda + lambda.squareRoot() * SampleGenerator.normal(&rng)).rounded()) - invites)
            let life = max(1, min(followUpDays, dataEndDay - signup))
            let start = Int64(signup - firstDay) * 86_400
            func add(_ second: Int64, _ b: Int) {
                let day = Int(second / 86_400)
                let user = userBase[i] + UInt32(rng.next() % UInt64(users))
                buckets[day].append(Row(key: UInt64(second % 86_400) << 40 | UInt64(i) << 12 | UInt64(b), user: user))
                written += 1
            }
            for _ in 0..<invites {
                let day = min(29.9, -2.5 * log(max(rng.nextUnit(), 1e-9)))
                let second = start + Int64(day * 86_400)
                if second < Int64(dataEndDay - firstDay) * 86_400 { add(second, invite) }
            }
            for _ in 0..<n {
                let u = rng.nextUnit() * total
                var lo = 0, hi = behaviours - 1
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > u { hi = mid } else { lo = mid + 1 } }
                let p = rng.nextUnit()
                let offset: Int64
                if p < 0.003 {
                    offset = -Int64(1 + rng.next() % (3 * 86_400))     // trial activity before signup
                } else if p < 0.303 {
                    offset = Int64(rng.next() % UInt64(min(30, life) * 86_400))   // onboarding, the first window
                } else {
                    offset = Int64(rng.next() % UInt64(life * 86_400))
                }
                add(start + offset, lo)
            }
        }
        try customers.write(toFile: (directory as NSString).appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)

        // The export, in time order, streamed day by day.
        let path = (directory as NSString).appendingPathComponent("events.csv")
        let tmp = path + ".tmp"
        guard let file = fopen(tmp, "wb") else { throw InputError("\(tmp): could not write", kind: .output) }
        let ids = (0..<accounts).map { Array(accountID($0).utf8) + [UInt8(ascii: ",")] }
        let nameBytes = (0..<behaviours).map { Array(Self.behaviourName($0).utf8) + [UInt8(ascii: ",")] }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 23)
        out += Array((userColumn ? "customer_id,event,timestamp,user_id\n" : "customer_id,event,timestamp\n").utf8)
        func two(_ v: Int) { out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10)) }
        var bytes = 0
        for d in buckets.indices {
            var rowsOfDay = buckets[d]
            buckets[d] = []
            rowsOfDay.sort()
            let date = Array((TimestampParser.dateString(day: firstDay + d) + "T").utf8)
            for row in rowsOfDay {
                let s = Int(row.key >> 40)
                out += ids[Int((row.key >> 12) & 0xFFF_FFFF)]
                out += nameBytes[Int(row.key & 0xFFF)]
                out += date
                two(s / 3600); out.append(UInt8(ascii: ":")); two((s / 60) % 60); out.append(UInt8(ascii: ":")); two(s % 60)
                out.append(UInt8(ascii: "Z"))
                if userColumn {
                    out.append(UInt8(ascii: ","))
                    out.append(UInt8(ascii: "u"))
                    out += Array(String(row.user).utf8)
                }
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 23 {
                    bytes += out.count
                    guard fwrite(out, 1, out.count, file) == out.count else { fclose(file); throw InputError("\(tmp): write failed", kind: .output) }
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        bytes += out.count
        guard fwrite(out, 1, out.count, file) == out.count, fclose(file) == 0 else { throw InputError("\(tmp): write failed", kind: .output) }
        guard rename(tmp, path) == 0 else { throw InputError("\(path): could not rename", kind: .output) }
        return "wrote \(accounts) accounts and \(written) event rows (\(behaviours) behaviours\(userColumn ? ", user_id" : ""), \(bytes) bytes) in one export to \(directory)"
    }
}
