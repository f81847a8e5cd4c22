import Foundation

/// Numbers for people: percentages, thousands separators, days, p-values. Locale-independent, so the same run
/// writes the same bytes everywhere.
public enum Format {
    /// 1234567 → "1,234,567"
    public static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A size in bytes for people, in decimal units with thousands separators, precise enough to compare two
    /// close figures: 12_000 → "12 kB", 1_004_000_000 → "1,004 MB", 46_000_000_000 → "46 GB".
    public static func bytes(_ n: Int) -> String {
        let x = Double(n)
        if x >= 1e10 { return "\(count(Int((x / 1e9).rounded()))) GB" }
        if x >= 1e6 { return "\(count(Int((x / 1e6).rounded()))) MB" }
        return "\(count(Int((x / 1e3).rounded()))) kB"
    }

    /// 0.523 → "52%"; below 10% one decimal ("3.4%"); nil → "–".
    public static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        let p = x * 100
        // One decimal near the ends, so 0.2% and 99.8% never read as 0% or 100%.
        if p != 0 && abs(p) < 10 || (p > 99 && p < 100) { return String(format: "%.1f%%", p) }
        return String(format: "%.0f%%", p)
    }

    /// Two decimals: AUCs, odds ratios.
    public static func decimal(_ x: Double?, places: Int = 2) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%.\(places)f", x)
    }

    /// A multiplier: 2.4 → "2.4×".
    public static func times(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: x >= 10 ? "%.0f×" : "%.1f×", x)
    }

    /// 3 → "3", 3.5 → "3.5"
    public static func day(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }

    /// "< 0.001", "0.012", "0.34"
    public static func pValue(_ p: Double?) -> String {
        guard let p, p.isFinite else { return "–" }
        if p < 0.001 { return "< 0.001" }
        if p < 0.1 { return String(format: "%.3f", p) }
        return String(format: "%.2f", p)
    }

    /// Full precision for data files: shortest round-trip representation, no exponent surprises for typical values.
    public static func exact(_ x: Double?) -> String {
        guard let x else { return "" }
        if !x.isFinite { return x.isNaN ? "" : (x > 0 ? "inf" : "-inf") }
        return "\(x)"
    }

    /// "p < 0.001", "p = 0.012"
    public static func pPhrase(_ p: Double?) -> String {
        let text = pValue(p)
        return text.hasPrefix("<") ? "p \(text)" : "p = \(text)"
    }

    /// Two decimals, or three when two would round onto `bar` and hide which side of it the value is on.
    public static func decimal(_ x: Double?, against bar: Double) -> String {
        guard let x else { return "–" }
        let two = decimal(x)
        return two == decimal(bar) && x != bar ? decimal(x, places: 3) : two
    }

}
