import ActivationCore

/// Reads a single-byte encoding (Latin-1, Windows-1252) as UTF-8, chunk by chunk: exports saved by Windows tools
/// carry names like "Müller" as one byte per letter, which is not valid UTF-8 and would be rejected row by row.
///
/// Each input byte becomes one to three UTF-8 bytes, so at most a third of the caller's buffer is read from the base
/// source per call; the mapping is a table lookup per byte, without allocation. The base source (and its
/// fingerprint of the bytes on disk) is kept in `base`.
public struct TranscodingByteSource<Base: ByteSource>: ByteSource {
    public var base: Base
    /// UTF-8 of each of the 256 byte values, up to 3 bytes, and its length.
    private let table: [(UInt8, UInt8, UInt8, UInt8)]
    private var raw: [UInt8] = []

    public init(base: Base, encoding: TextEncoding) {
        self.base = base
        table = (0..<256).map { byte in
            let scalar = encoding.scalar(UInt8(byte))
            let utf8 = Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            return (UInt8(utf8.count), utf8[0], utf8.count > 1 ? utf8[1] : 0, utf8.count > 2 ? utf8[2] : 0)
        }
    }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        precondition(capacity >= 3, "room for one 3-byte character")
        let want = max(1, capacity / 3)
        if raw.count < want { raw = [UInt8](repeating: 0, count: want) }
        let n = try raw.withUnsafeMutableBufferPointer { try base.read(into: $0.baseAddress!, capacity: want) }
        var out = 0
        table.withUnsafeBufferPointer { table in
            raw.withUnsafeBufferPointer { raw in
                for i in 0..<n {
                    let byte = raw[i]
                    if byte < 0x80 { buffer[out] = byte; out += 1; continue }
                    let e = table[Int(byte)]
                    buffer[out] = e.1
                    buffer[out + 1] = e.2
                    if e.0 == 3 { buffer[out + 2] = e.3 }
                    out += Int(e.0)
                }
            }
        }
        return out
    }
}
