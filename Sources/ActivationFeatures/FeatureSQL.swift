import ActivationCore

/// The feature stage as SQL, for teams whose events live in a warehouse or a data lake: it computes the same
/// first-window daily table as the Swift stage (`first_window_daily.csv`), which `activation run --features` reads.
///
/// Definitions, identical to the Swift stage: the first window is [00:00 UTC on the signup date, + window days),
/// half-open; a row's day is floor((event time − window start) / 86,400 s), event times truncated to the second;
/// `events` sums the count column (1 when empty); `users` counts distinct non-empty user ids of the customer's
/// in-window rows of that behaviour; renames map export names to behaviours (exact names first, then patterns, the
/// behaviour sorting first winning), exclusions drop rows whose export or behaviour name matches; de-duplication
/// drops repeats of (customer, behaviour, second, user, count) at any day after signup (the "ever" counts too);
/// `data_end` is the date of the latest event time of any kept row of a known customer, inside the
/// window or not. Two rows per customer and behaviour at most carry the follow-up counts for activation rates within
/// 90 days and ever: `day` = window for the events from the window's end up to the horizon, `day` = horizon for
/// the events on or after it (when the window is 90 days or longer, only the latter); their `users` is empty.
public struct FeatureSQL {
    public enum Dialect: String, CaseIterable, Sendable {
        case duckdb, spark, postgres, bigquery, snowflake
    }

    public var dialect: Dialect
    public var definition: FeatureDefinition
    public var eventsTable = "events"
    public var customersTable = "customers"
    /// Whether the events table has the configured user and count columns.
    public var hasUserColumn = true
    public var hasCountColumn = true

    public init(dialect: Dialect, definition: FeatureDefinition, eventsTable: String = "events", customersTable: String = "customers") {
        self.dialect = dialect
        self.definition = definition
        self.eventsTable = eventsTable
        self.customersTable = customersTable
    }

    package func quoteIdentifier(_ name: String) -> String {
        switch dialect {
        case .spark, .bigquery: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        default: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    package func literal(_ s: String) -> String {
        switch dialect {
        case .spark, .bigquery:
            return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        default:
            return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    package var text: String { dialect == .bigquery || dialect == .spark ? "STRING" : "VARCHAR" }

    /// A glob pattern (`*`, `?`) as a LIKE predicate on `column`.
    package func like(_ column: String, _ pattern: String) throws -> String {
        if pattern.contains("[") {
            throw InputError("pattern '\(pattern)': character classes ([...]) have no portable SQL LIKE form; list the names instead", kind: .configuration)
        }
        if !pattern.contains(where: { $0 == "*" || $0 == "?" }) { return "\(column) = \(literal(pattern))" }
        var out = ""
        for ch in pattern {
            switch ch {
            case "*": out += "%"
            case "?": out += "_"
            case "%", "_", "\\": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return dialect == .bigquery || dialect == .spark ? "\(column) LIKE \(literal(out))" : "\(column) LIKE \(literal(out)) ESCAPE '\\'"
    }

    /// The timestamp column as a timestamp, NULL when it does not parse. The column may be text or already typed.
    ///
    /// DuckDB's cast to TIMESTAMPTZ takes text, TIMESTAMP (read in the session's zone, as naive text is) and
    /// TIMESTAMPTZ alike, so the column is cast directly: on a typed table, going through text first made every row
    /// print its timestamp and parse it back, most of the query's time.
    package func parseTimestamp(_ column: String) throws -> String {
        let v = "CAST(\(column) AS \(text))"
        switch definition.timestampFormat {
        case .automatic:
            switch dialect {
            case .duckdb: return "TRY_CAST(\(column) AS TIMESTAMPTZ)"
            case .spark: return "to_timestamp(\(v))"
            case .postgres: return "CAST(\(v) AS TIMESTAMPTZ)"
            case .bigquery: return "SAFE_CAST(\(v) AS TIMESTAMP)"
            case .snowflake: return "TRY_TO_TIMESTAMP_TZ(\(v))"
            }
        case .epochSeconds, .epochMilliseconds:
            let divisor = definition.timestampFormat == .epochMilliseconds ? " / 1000" : ""
            switch dialect {
            case .duckdb: return "to_timestamp(FLOOR(TRY_CAST(\(v) AS DOUBLE)\(divisor)))"
            case .spark: return "CAST(FLOOR(CAST(\(v) AS DOUBLE)\(divisor)) AS TIMESTAMP)"
            case .postgres: return "to_timestamp(FLOOR(CAST(\(v) AS DOUBLE PRECISION)\(divisor)))"
            case .bigquery: return "TIMESTAMP_SECONDS(CAST(FLOOR(SAFE_CAST(\(v) AS FLOAT64)\(divisor)) AS INT64))"
            case .snowflake: return "TO_TIMESTAMP_TZ(FLOOR(TRY_TO_DOUBLE(\(v))\(divisor)))"
            }
        case .pattern(let p):
            switch dialect {
            case .duckdb: return "TRY_STRPTIME(\(v), \(literal(p)))"
            case .bigquery: return "SAFE.PARSE_TIMESTAMP(\(literal(p)), \(v))"
            case .spark: return "to_timestamp(\(v), \(literal(try Self.convert(p, to: .spark))))"
            case .postgres: return "to_timestamp(\(v), \(literal(try Self.convert(p, to: .postgres))))"
            case .snowflake: return "TRY_TO_TIMESTAMP_TZ(\(v), \(literal(try Self.convert(p, to: .snowflake))))"
            }
        }
    }

    /// A strftime-like pattern in the dialect's own format language.
    package static func convert(_ pattern: String, to dialect: Dialect) throws -> String {
        let table: [Character: String]
        switch dialect {
        case .spark: table = ["Y": "yyyy", "m": "M", "d": "d", "H": "H", "I": "h", "M": "m", "S": "s", "f": "SSSSSS", "p": "a", "z": "XXX", "%": "%"]
        case .postgres, .snowflake:
            table = ["Y": "YYYY", "m": "MM", "d": "DD", "H": "HH24", "I": "HH12", "M": "MI", "S": "SS", "f": dialect == .postgres ? "US" : "FF", "p": "AM", "z": "TZH:TZM", "%": "%"]
        default: return pattern
        }
        var out = "", percent = false
        for ch in pattern {
            if percent {
                guard let mapped = table[ch] else { throw InputError("timestamp format '\(pattern)': %\(ch) has no \(dialect.rawValue) equivalent", kind: .configuration) }
                out += mapped
                percent = false
            } else if ch == "%" {
                percent = true
            } else if dialect == .spark && ch.isLetter {
                out += "'\(ch)'"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The event's epoch seconds (floored) from the timestamp column, NULL when it does not parse.
    ///
    /// On DuckDB with naive timestamps read as UTC, a column already typed `TIMESTAMP` is taken as it is: the
    /// general cast to TIMESTAMPTZ converts every row through the session's zone (ICU), and for UTC it changes
    /// nothing. `typeof` is folded when the query is
    /// planned, so the branch not taken costs nothing and a text column still goes through TIMESTAMPTZ (which
    /// honours offsets; a cast of text to TIMESTAMP would drop them).
    package func eventSecond(_ column: String) throws -> String {
        if dialect == .duckdb, definition.timestampFormat == .automatic, definition.timeZone == .utc {
            return "CAST(FLOOR(CASE typeof(\(column)) WHEN 'TIMESTAMP' THEN epoch(TRY_CAST(\(column) AS TIMESTAMP)) "
                + "ELSE epoch(TRY_CAST(\(column) AS TIMESTAMPTZ)) END) AS BIGINT)"
        }
        return epochSeconds(try parseTimestamp(column))
    }

    package func epochSeconds(_ timestamp: String) -> String {
        switch dialect {
        case .duckdb: return "CAST(FLOOR(epoch(\(timestamp))) AS BIGINT)"
        case .spark: return "CAST(unix_timestamp(\(timestamp)) AS BIGINT)"
        case .postgres: return "CAST(FLOOR(EXTRACT(EPOCH FROM \(timestamp))) AS BIGINT)"
        case .bigquery: return "UNIX_SECONDS(\(timestamp))"
        case .snowflake: return "DATE_PART(epoch_second, \(timestamp))"
        }
    }

    /// Epoch seconds of 00:00 UTC on the customer's signup date.
    package func signupStart(_ column: String) -> String {
        let v = "CAST(\(column) AS \(text))"
        switch dialect {
        case .duckdb: return "CAST(epoch(CAST(CAST(\(v) AS TIMESTAMPTZ) AS DATE)) AS BIGINT)"
        case .spark: return "CAST(unix_timestamp(to_date(\(v))) AS BIGINT)"
        case .postgres: return "CAST(EXTRACT(EPOCH FROM CAST(CAST(\(v) AS TIMESTAMPTZ) AS DATE) AT TIME ZONE 'UTC') AS BIGINT)"
        case .bigquery: return "UNIX_SECONDS(TIMESTAMP(DATE(SAFE_CAST(\(v) AS TIMESTAMP))))"
        case .snowflake: return "DATE_PART(epoch_second, TO_DATE(\(v))::TIMESTAMP_NTZ)"
        }
    }

    package func dateOfEpoch(_ seconds: String) -> String {
        switch dialect {
        case .duckdb: return "CAST(CAST(to_timestamp(\(seconds)) AS DATE) AS VARCHAR)"
        case .spark: return "CAST(to_date(CAST(\(seconds) AS TIMESTAMP)) AS STRING)"
        case .postgres: return "CAST(CAST(to_timestamp(\(seconds)) AT TIME ZONE 'UTC' AS DATE) AS VARCHAR)"
        case .bigquery: return "CAST(DATE(TIMESTAMP_SECONDS(\(seconds))) AS STRING)"
        case .snowflake: return "TO_VARCHAR(TO_DATE(TO_TIMESTAMP_NTZ(\(seconds))))"
        }
    }

    package func count(_ column: String) -> String {
        let v = "NULLIF(TRIM(CAST(\(column) AS \(text))), '')"
        switch dialect {
        case .duckdb: return "COALESCE(TRY_CAST(\(v) AS DOUBLE), CASE WHEN \(v) IS NULL THEN 1 END)"
        case .spark: return "COALESCE(CAST(\(v) AS DOUBLE), CASE WHEN \(v) IS NULL THEN 1 END)"
        case .postgres: return "COALESCE(CAST(\(v) AS DOUBLE PRECISION), 1)"
        case .bigquery: return "COALESCE(SAFE_CAST(\(v) AS FLOAT64), CASE WHEN \(v) IS NULL THEN 1 END)"
        case .snowflake: return "COALESCE(TRY_TO_DOUBLE(\(v)), CASE WHEN \(v) IS NULL THEN 1 END)"
        }
    }

    package var sessionZone: String {
        let zone = definition.timeZone.name
        switch dialect {
        case .duckdb: return "SET TimeZone = \(literal(zone));\n"
        case .spark: return "SET spark.sql.session.timeZone = \(zone);\n"
        case .postgres: return "SET TIME ZONE \(literal(zone));\n"
        case .bigquery: return zone == "UTC" ? "" : "-- BigQuery reads naive timestamps as UTC; convert them to \(zone) upstream.\n"
        case .snowflake: return "ALTER SESSION SET TIMEZONE = \(literal(zone));\n"
        }
    }

    /// The whole statement, ending with the SELECT of `customer_id,behaviour,day,events,users,data_end`.
    public func render() throws -> String {
        let e = definition.eventColumns, c = definition.customerColumns
        let window = definition.windowDays
        let horizon = FollowUp.horizon(windowDays: window)
        let raw = "e.\(quoteIdentifier(e.event))"
        // Behaviour names: exact rename entries first, then patterns; the behaviour sorting first wins.
        var cases: [String] = []
        let targets = definition.naming.renames.keys.sorted()
        for target in targets {
            let exact = definition.naming.renames[target]!.filter { !$0.contains(where: { "*?[".contains($0) }) }
            if !exact.isEmpty { cases.append("WHEN \(raw) IN (\(exact.map(literal).joined(separator: ", "))) THEN \(literal(target))") }
        }
        for target in targets {
            for pattern in definition.naming.renames[target]! where pattern.contains(where: { "*?[".contains($0) }) {
                cases.append("WHEN \(try like(raw, pattern)) THEN \(literal(target))")
            }
        }
        let behaviour = cases.isEmpty ? "CAST(\(raw) AS \(text))" : "CASE \(cases.joined(separator: " ")) ELSE CAST(\(raw) AS \(text)) END"
        var exclusions: [String] = []
        for pattern in definition.naming.excluded {
            exclusions.append(try like(raw, pattern))
            if !cases.isEmpty { exclusions.append(try like("(\(behaviour))", pattern)) }
        }
        let userExpr = hasUserColumn ? "NULLIF(CAST(e.\(quoteIdentifier(e.userID)) AS \(text)), '')" : "CAST(NULL AS \(text))"
        let countExpr = hasCountColumn ? count("e.\(quoteIdentifier(e.count))") : "1"
        let eventSecond = try eventSecond("e.\(quoteIdentifier(e.timestamp))")
        // The data's end (the latest kept row, before signup too) is taken from the daily groups, which hold rows
        // before signup as day -1: read from the rows themselves, a second reference to them made the engine keep
        // every row (DuckDB materialises a CTE used twice) or read them twice.
        // Distinct users only when there is a user column: without one they are NULL, and counting NULLs per pair
        // was a second aggregation over every row.
        let usersTable = hasUserColumn ? """
        users AS (
          SELECT customer_id, behaviour, COUNT(DISTINCT user_id) AS users FROM tracked WHERE day >= 0 AND day < \(window) GROUP BY customer_id, behaviour
        ),

        """ : ""
        let usersJoin = hasUserColumn ? "  LEFT JOIN users u ON u.customer_id = d.customer_id AND u.behaviour = d.behaviour\n" : ""
        var sql = "-- Activation Discovery \(ActivationDiscovery.version): first-window daily features (\(dialect.rawValue)).\n"
        sql += "-- Output: customer_id,behaviour,day,events,users,data_end. Save it as CSV and run `activation run --features <it>`.\n"
        sql += "-- Window \(window) days from 00:00 UTC on the signup date. Follow-up rows: day \(window) = days \(window)-\(horizon - 1), day \(horizon) = day \(horizon) or later.\n"
        sql += "-- Tables \(eventsTable) and \(customersTable). Rows in no particular order (`--features` does not need them sorted).\n"
        sql += sessionZone
        sql += """
        WITH customers_clean AS (
          SELECT CAST(\(quoteIdentifier(c.customerID)) AS \(text)) AS customer_id,
                 MIN(\(signupStart(quoteIdentifier(c.signupDate)))) AS window_start
          FROM \(customersTable)
          WHERE \(quoteIdentifier(c.customerID)) IS NOT NULL AND CAST(\(quoteIdentifier(c.customerID)) AS \(text)) <> ''
          GROUP BY 1
        ),
        events_typed AS (
          SELECT CAST(e.\(quoteIdentifier(e.customerID)) AS \(text)) AS customer_id,
                 \(behaviour) AS behaviour,
                 \(eventSecond) AS event_second,
                 \(userExpr) AS user_id,
                 \(countExpr) AS events
          FROM \(eventsTable) e
          WHERE \(raw) IS NOT NULL AND CAST(\(raw) AS \(text)) <> ''\(exclusions.isEmpty ? "" : "\n    AND NOT (" + exclusions.joined(separator: " OR ") + ")")
        ),
        kept AS (
          SELECT t.customer_id, t.behaviour, t.event_second, t.user_id, CAST(t.events AS BIGINT) AS events,
                 t.event_second - c.window_start AS offset_seconds
          FROM events_typed t JOIN customers_clean c ON t.customer_id = c.customer_id
          WHERE t.event_second IS NOT NULL AND t.events IS NOT NULL AND t.events >= 0 AND t.events = FLOOR(t.events)
        ),
        after_signup AS (
          SELECT customer_id, behaviour, event_second, user_id, events,
                 CASE WHEN offset_seconds < 0 THEN -1
                      WHEN offset_seconds < \(window) * 86400 THEN CAST(FLOOR(offset_seconds / 86400) AS BIGINT)
                      WHEN offset_seconds < \(horizon) * 86400 THEN \(window) ELSE \(horizon) END AS day
          FROM kept
        ),
        tracked AS (
          SELECT \(definition.deduplicate ? "DISTINCT " : "")customer_id, behaviour, event_second, user_id, events, day
          FROM after_signup
        ),
        \(usersTable)daily AS (
          SELECT customer_id, behaviour, day, SUM(events) AS events, MAX(event_second) AS last_second
          FROM tracked GROUP BY customer_id, behaviour, day
        ),
        data_end AS (
          SELECT \(dateOfEpoch("MAX(last_second)")) AS data_end FROM daily
        )
        SELECT d.customer_id, d.behaviour, d.day, d.events,
               CASE WHEN d.day < \(window) THEN \(hasUserColumn ? "u.users" : "CAST(NULL AS BIGINT)") END AS users,
               x.data_end
        FROM daily d
        \(usersJoin)  CROSS JOIN data_end x
        WHERE d.events > 0 AND d.day >= 0;

        """
        return sql
    }
}
