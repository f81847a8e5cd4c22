/// The Kaplan-Meier (product-limit) estimate of the survival curve S(t) = P(T > t) for right-censored times, here
/// "days from signup until the customer reached the activation event" (Kaplan & Meier 1958, *Nonparametric
/// estimation from incomplete observations*, JASA 53:457-481; as lifelines' `KaplanMeierFitter` computes it).
///
/// Ŝ(t) = Π over distinct event times tᵢ ≤ t of (1 − dᵢ/nᵢ), where dᵢ customers had the event at tᵢ and nᵢ were still
/// at risk just before it (not yet activated and not censored earlier). A customer censored at t is still at risk at
/// t: censoring is taken to happen just after events at the same time, the usual convention. Edge cases: with no
/// event the curve stays at 1; when the last customers at risk all have the event it reaches 0; after the last
/// event time it is flat (no extrapolation), so a quantile the curve never reaches is "not reached", never a guess.
public struct KaplanMeier: Sendable, Equatable {
    /// Distinct event times, ascending, and S(t) just after each.
    public private(set) var times: [Double] = []
    public private(set) var survival: [Double] = []

    /// - Parameters:
    ///   - durations: time to the event, or to censoring.
    ///   - observed: true when the event happened at that time, false when the customer was censored.
    public init(durations: [Double], observed: [Bool]) {
        precondition(durations.count == observed.count)
        let order = durations.indices.sorted { durations[$0] < durations[$1] }
        var atRisk = durations.count
        var s = 1.0
        var k = 0
        while k < order.count {
            let t = durations[order[k]]
            var events = 0, leaving = 0
            while k < order.count && durations[order[k]] == t {
                if observed[order[k]] { events += 1 }
                leaving += 1
                k += 1
            }
            if events > 0 {
                s *= 1 - Double(events) / Double(atRisk)
                times.append(t)
                survival.append(s)
            }
            atRisk -= leaving
        }
    }

    /// S(t): the estimated share that has not had the event by time t (inclusive).
    public func survival(at t: Double) -> Double {
        var s = 1.0
        for (i, time) in times.enumerated() where time <= t { s = survival[i] }
        return s
    }

    /// The q-quantile of time to event: the smallest event time t with S(t) ≤ 1 − q; nil when the curve never gets
    /// that low ("not reached" within follow-up).
    public func quantile(_ q: Double) -> Double? {
        for (i, s) in survival.enumerated() where s <= 1 - q + 1e-12 { return times[i] }
        return nil
    }
}
