import Foundation

/// The customer table of the oracle's `joint_logit` case: six behaviour counts on log1p, segment as the dummies
/// `segment=plus` and `segment=pro` (reference `basic`), in the order of `joint_mle.terms` (without the intercept).
enum JointLogit {
    static let behaviours = ["dashboards_built", "dashboards_saved", "support_tickets", "logins", "theme_changes", "api_keys_created"]
    static let terms = behaviours + ["segment=plus", "segment=pro"]

    struct Data {
        /// log1p(count) of the six behaviours, then the two dummies.
        var x: [[Double]]
        var y: [Bool]
    }

    static func load() -> Data {
        let text = try! String(contentsOf: Oracle.directory.appendingPathComponent("joint_logit.csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        let countColumns = behaviours.map { header.firstIndex(of: $0)! }
        let segment = header.firstIndex(of: "segment")!, label = header.firstIndex(of: "label")!
        var x: [[Double]] = [], y: [Bool] = []
        for line in lines.dropFirst() {
            let parts = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var row = countColumns.map { log1p(Double(parts[$0])!) }
            row.append(parts[segment] == "plus" ? 1 : 0)
            row.append(parts[segment] == "pro" ? 1 : 0)
            x.append(row)
            y.append(parts[label] == "1")
        }
        return Data(x: x, y: y)
    }

    static var expected: [String: Any] { Oracle.case("joint_logit") }

    /// A `{term: number}` object of the oracle as an array in `terms` order (or `names` order).
    static func vector(_ any: Any?, _ names: [String] = terms) -> [Double] {
        let object = any as! [String: Any]
        return names.map { number(object[$0]) }
    }
}
