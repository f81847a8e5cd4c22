/// What the joint driver model (`DriverModel`) rules out of the proposal, the bootstrap's selections and the
/// onboarding funnel's steps.
///
/// - `harmful`: customers who do more of it renew less once the rest of their usage is known.
/// - `proxies`: it goes with renewal alone, but has no effect of its own once the other behaviours are known: it
///   rides on them (usually on overall activity). Pushing every new customer towards it would change nothing, so
///   a rule made only of proxies is never proposed, and a proxy is never shown as an onboarding step. A duplicate
///   (the same action logged twice) is judged through its group's lead.
public struct JointRoles: Sendable, Equatable {
    public var harmful: Set<String>
    public var proxies: Set<String>

    public init(harmful: Set<String> = [], proxies: Set<String> = []) {
        self.harmful = harmful
        self.proxies = proxies
    }

    public init(_ drivers: DriverModel) {
        let role = Dictionary(drivers.estimates.map { ($0.behaviour, $0.role) }, uniquingKeysWith: { a, _ in a })
        harmful = Set(drivers.estimates.filter { $0.role == .harmful }.map(\.behaviour))
        proxies = Set(drivers.estimates.filter { e in
            e.role == .proxy || (e.role == .duplicate && role[e.groupLead] == .proxy)
        }.map(\.behaviour))
    }

    /// Behaviours never shown as a step or picked by a resample: harmful ones and proxies.
    public var excluded: Set<String> { harmful.union(proxies) }
}
