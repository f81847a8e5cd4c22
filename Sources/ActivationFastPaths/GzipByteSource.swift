import ActivationCore
import CZlib

/// Decompresses a gzip stream (`*.csv.gz`) on the fly with the system zlib, so a compressed export is parsed
/// without ever being written out uncompressed. Memory is two fixed buffers, whatever the file's size.
///
/// Concatenated gzip members (what `cat a.gz b.gz` and some exporters produce) are read one after another, as
/// `gzip -d` does. A corrupt or truncated stream is an `InputError` naming the file and the compressed byte offset.
public struct GzipByteSource<Base: ByteSource>: ByteSource {
    public var base: Base
    package let path: String
    private let state: InflateState
    private var inputEnded = false
    private var memberEnded = false
    private var compressedOffset = 0

    /// Owns the z_stream and its input buffer; a class so that zlib's internal pointers stay put.
    private final class InflateState {
        var stream = z_stream()
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
        let inputCapacity = 1 << 18
        var initialised = false
        deinit {
            if initialised { inflateEnd(&stream) }
            input.deallocate()
        }
    }

    public init(_ base: Base, path: String) throws {
        self.base = base
        self.path = path
        state = InflateState()
        guard activation_inflate_init_gzip(&state.stream) == Z_OK else {
            throw InputError("\(path): could not start the gzip decompressor (zlib)")
        }
        state.initialised = true
    }

    public mutating func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if state.stream.avail_in == 0 && !inputEnded {
                let n = try base.read(into: state.input, capacity: state.inputCapacity)
                if n == 0 { inputEnded = true } else {
                    state.stream.next_in = state.input
                    state.stream.avail_in = UInt32(n)
                }
            }
            if state.stream.avail_in == 0 && inputEnded {
                if memberEnded { return 0 }
                // A 0-byte file is not a gzip stream (an empty one still has a 20-byte header and trailer): it is
                // what a failed or unfinished unload leaves, never a month without events, so it stops the run.
                if compressedOffset == 0 {
                    throw InputError("\(path): the file is empty (0 bytes), which is not a gzip stream: an export that failed or is still being written? A part with no events is a gzip of an empty file (gzip -t checks it)")
                }
                throw InputError("\(path): the gzip stream is truncated (ends after \(compressedOffset) compressed bytes); the export was cut off")
            }
            if memberEnded {
                // Another gzip member follows the one that ended.
                guard inflateReset(&state.stream) == Z_OK else {
                    throw InputError("\(path): could not restart the gzip decompressor at byte \(compressedOffset)")
                }
                memberEnded = false
            }
            let before = state.stream.avail_in
            state.stream.next_out = buffer
            state.stream.avail_out = UInt32(min(capacity, Int(UInt32.max)))
            let status = inflate(&state.stream, Z_NO_FLUSH)
            compressedOffset += Int(before - state.stream.avail_in)
            let produced = capacity - Int(state.stream.avail_out)
            switch status {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                let reason = state.stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw InputError("\(path): not a valid gzip stream at compressed byte \(compressedOffset): \(reason)")
            }
            if produced > 0 { return produced }
        }
    }
}
