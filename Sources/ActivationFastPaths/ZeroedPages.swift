import Glibc

/// Zeroed memory for the large tables the event hot path reads at random (the customer index, follow-up counts),
/// mapped from the kernel and, where it allows, backed by 2 MiB pages (`madvise(MADV_HUGEPAGE)`).
///
/// With 4 KiB pages a table of a few MB spans more pages than the TLB holds, so a lookup of a random customer
/// costs a page walk on top of its cache miss, and a prefetch of it stalls on that walk; huge pages remove the walk.
/// Pages the program never writes cost nothing (the kernel maps zeroes on first touch).
package final class ZeroedPages: @unchecked Sendable {
    package let base: UnsafeMutableRawPointer
    package let byteCount: Int

    package init(byteCount: Int) {
        let size = max(byteCount, 1)
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else { fatalError("out of memory: could not map \(size) bytes") }
        if size >= 1 << 21 { _ = madvise(pointer, size, MADV_HUGEPAGE) }
        base = pointer
        self.byteCount = size
    }

    deinit { munmap(base, byteCount) }

    package func pointer<T>(to type: T.Type) -> UnsafeMutablePointer<T> { base.assumingMemoryBound(to: type) }
}
