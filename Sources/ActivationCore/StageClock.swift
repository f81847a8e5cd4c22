/// Wall-clock seconds of a stage, for `run.json`'s timings (never part of the deterministic output).
package struct StageClock {
    private let clock = ContinuousClock()
    private var start: ContinuousClock.Instant

    package init() { start = clock.now }

    /// Seconds since the clock was made or last lapped, and starts the next lap.
    package mutating func lap() -> Double {
        let now = clock.now
        let d = now - start
        start = now
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
