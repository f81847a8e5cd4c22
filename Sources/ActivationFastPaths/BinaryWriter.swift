import Foundation

/// Little-endian binary output for cache entries.
package struct BinaryWriter {
    package var bytes: [UInt8] = []
    package init() { bytes.reserveCapacity(1 << 16) }
    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always)
    package mutating func u32(_ v: UInt32) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }
    /// Many values at once (the count cells).
    package mutating func u32s(_ values: [UInt32]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { u32(v) }
        #endif
    }
    @inline(__always)
    package mutating func u64(_ v: UInt64) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { bytes.append(contentsOf: $0) }
    }
    package mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    package mutating func string(_ s: String) { let utf8 = Array(s.utf8); u32(UInt32(utf8.count)); bytes += utf8 }
    /// The same as `string` for bytes that are already UTF-8.
    package mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) { u32(UInt32(b.count)); bytes.append(contentsOf: b) }
}
