import Foundation

/// Reads the reference answers copied from `../shared/oracle` (scikit-learn, statsmodels, scipy, lifelines).
enum Oracle {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/oracle")

    static var expected: [String: Any] {
        let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["cases"] as! [String: Any]
    }

    static func `case`(_ name: String) -> [String: Any] { expected[name] as! [String: Any] }

    /// The two numeric columns of a fixture CSV (`score,label`, `x,label` or `days,activated`).
    static func columns(_ file: String) -> (values: [Double], labels: [Bool]) {
        let text = try! String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        var values: [Double] = [], labels: [Bool] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let parts = line.split(separator: ",")
            values.append(Double(parts[0])!)
            labels.append(parts[1] == "1")
        }
        return (values, labels)
    }
}

func number(_ any: Any?) -> Double { (any as! NSNumber).doubleValue }
