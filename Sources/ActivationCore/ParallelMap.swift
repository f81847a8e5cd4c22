import Dispatch
import Foundation

/// `items.map(transform)` on both cores. The results keep the items' order, so the output never depends on which
/// core finished first; items are handed out one at a time, so a slow item does not leave the other core idle.
package func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    let state = ParallelMapState<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: min(2, max(1, items.count))) { _ in
        while let i = state.take() { state.put(transform(items[i]), at: i) }
    }
    return state.values.map { $0! }
}

/// Work and results of `parallelMap`, shared by the workers under a lock.
private final class ParallelMapState<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int
    private(set) var values: [R?]
    init(count: Int) { self.count = count; values = Array(repeating: nil, count: count) }
    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
    func put(_ value: R, at i: Int) { lock.lock(); values[i] = value; lock.unlock() }
}
