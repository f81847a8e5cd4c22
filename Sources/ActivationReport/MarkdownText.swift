/// Names from the data (behaviours, segments, account ids, file paths) made safe for Markdown: a behaviour called
/// `<script>` or `Viewed | Pricing` must neither inject markup nor break a table, on GitHub or in the HTML report.
package enum MarkdownText {
    /// Characters with a meaning in (GitHub-flavoured) Markdown, backslash-escaped wherever they appear.
    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "&", "~", "#", "!", "$"]

    /// Plain text, safe anywhere: in a paragraph, a heading, a list or a table cell. Line breaks become spaces.
    package static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "\n" || ch == "\r" || ch == "\t" { out.append(" "); continue }
            if special.contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// A name as code (`invite_teammate`) when that is safe (no backtick, pipe or line break), else escaped text.
    package static func code(_ s: String) -> String {
        if s.isEmpty || s.contains(where: { $0 == "`" || $0 == "|" || $0 == "\n" || $0 == "\r" || $0 == "\\" }) || s.hasPrefix(" ") || s.hasSuffix(" ") {
            return escape(s)
        }
        return "`\(s)`"
    }
}
