import ActivationKit
import Testing

@Suite("Interning and fingerprints")
struct ByteInternerAndSHA256Tests {
    @Test func internsDenselyAndFindsAfterGrowth() {
        var interner = ByteInterner(capacity: 2)
        for i in 0..<5000 { #expect(interner.intern("key-\(i)") == i) }
        for i in stride(from: 0, to: 5000, by: 7) { #expect(interner.lookup("key-\(i)") == i) }
        #expect(interner.lookup("missing") == nil)
        #expect(interner.intern("key-42") == 42)
        #expect(interner.count == 5000)
        #expect(interner.string(4999) == "key-4999")
        #expect(interner.intern("") == 5000)
        #expect(interner.lookup("") == 5000)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256KnownVectors(input: String, digest: String) {
        var hasher = SHA256()
        hasher.update(Array(input.utf8))
        #expect(hasher.finalize() == digest)
    }

    @Test func sha256StreamedInPiecesEqualsWhole() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256(); whole.update(bytes)
        var pieces = SHA256()
        var i = 0
        for size in [1, 63, 64, 65, 127, 1000, 3] where i < bytes.count {
            pieces.update(Array(bytes[i..<min(bytes.count, i + size)])); i += size
        }
        pieces.update(Array(bytes[i...]))
        #expect(whole.finalize() == pieces.finalize())
    }
}
