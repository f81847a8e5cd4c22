import CLibCrypto

/// SHA-256 (FIPS 180-4), streamed, for fingerprinting input files in `run.json`, computed by OpenSSL's libcrypto
/// (which uses the CPU's SHA extensions where present: about 1 GB/s per core here, against ~250 MB/s for the
/// portable Swift code it replaces). Known-answer vectors are checked in the tests.
public struct SHA256: @unchecked Sendable {
    /// Owns the EVP context; a class so that it is freed once. Copies of the struct share it, which is safe because a
    /// hasher is only ever advanced through one copy (the byte source that reads the file).
    private final class Context {
        let pointer: OpaquePointer
        /// Set once finalised: shared by every copy, so a second `finalize()` on any copy gives the same answer.
        var digest: String?
        init() {
            pointer = EVP_MD_CTX_new()
            EVP_DigestInit_ex(pointer, EVP_sha256(), nil)
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }
    private let context = Context()

    public init() {}

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0, context.digest == nil else { return }
        EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { update($0) } }

    /// The digest as lowercase hex (computed once; later calls return the same value).
    public mutating func finalize() -> String {
        if let digest = context.digest { return digest }
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context.pointer, &out, &length)
        let hex: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in out.prefix(Int(length)) { text.append(hex[Int(byte >> 4)]); text.append(hex[Int(byte & 0xF)]) }
        context.digest = text
        return text
    }
}
