import ActivationFastPaths
import ActivationIngest
import Foundation
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

    @Test func keysOfEveryLengthAroundTheWordBoundariesStayApart() {
        // The hash reads 8-byte words with an overlapping last word, and short keys compare inline: keys that share
        // all but one byte, or differ only in length or a trailing zero byte, must never be taken for each other.
        var interner = ByteInterner(capacity: 4)
        var keys: [[UInt8]] = []
        for length in 0...40 {
            let base = (0..<length).map { UInt8(97 + $0 % 26) }
            keys.append(base)
            if length > 0 {
                var last = base; last[length - 1] = 90; keys.append(last)
                var first = base; first[0] = 90; keys.append(first)
            }
            keys.append(base + [0])
        }
        var unique: [[UInt8]] = []
        for key in keys where !unique.contains(key) { unique.append(key) }
        for (i, key) in unique.enumerated() {
            #expect(key.withUnsafeBufferPointer { interner.intern($0) } == (i, true))
        }
        for (i, key) in unique.enumerated() {
            #expect(key.withUnsafeBufferPointer { interner.lookup($0) } == i)
            #expect(key.withUnsafeBufferPointer { interner.intern($0) } == (i, false))
        }
        #expect([UInt8](repeating: 122, count: 17).withUnsafeBufferPointer { interner.lookup($0) } == nil)
    }

    @Test func customerIndexFindsEveryIdWithItsSignupInlineOrNot() throws {
        // Ids of 1 to 40 bytes: up to 16 live inline in the hot index, longer ones go through the interner; ids
        // differing only in their last byte or length, and 100,000 ids in all (the table grows many times).
        var csv = "customer_id,signup_date,renewed\n"
        var ids: [String] = []
        for length in 1...40 {
            let id = String(repeating: "x", count: length - 1)
            ids += [id + "a", id + "b"]
        }
        for i in 0..<100_000 { ids.append("acct_\(i)") }
        for (i, id) in ids.enumerated() { csv += "\(id),2025-\(String(format: "%02d", 1 + i % 12))-0\(1 + i % 9),yes\n" }
        var source = MemoryByteSource(Array(csv.utf8))
        let table = try CustomerTableReader().read(&source, file: "customers.csv").table
        #expect(table.count == ids.count)
        for (i, id) in ids.enumerated() where i < 200 || i % 97 == 0 {
            var key = id
            let found = key.withUTF8 { table.locate($0) }
            #expect(found?.customer == i, "\(id)")
            #expect(found?.signupSeconds == Int64(table.customers[i].signupDay) * 86_400)
        }
        for missing in ["", "c", String(repeating: "x", count: 15) + "c", String(repeating: "x", count: 16) + "c",
                        String(repeating: "x", count: 39) + "c", "acct_100000", "acct_1\u{0}"] {
            var key = missing
            #expect(key.withUTF8 { table.locate($0) } == nil, "\(missing)")
        }
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

    /// XXH64 against the reference implementation (Python `xxhash` 3.x, `xxh64(data, seed).intdigest()`): lengths
    /// below and above one 32-byte stripe, with tails of 8-, 4- and 1-byte steps, a seed, and an unaligned start.
    @Test func xxHash64KnownVectors() {
        let stripes = (0..<(256 * 3)).map { UInt8(truncatingIfNeeded: $0) } + Array("xyz".utf8)
        let cases: [([UInt8], UInt64, UInt64)] = [
            ([], 0, 0xef46db3751d8e999),
            (Array("a".utf8), 0, 0xd24ec4f1a98c6e5b),
            (Array("abc".utf8), 0, 0x44bc2cf5ad770999),
            (Array("0123456789abcdef".utf8), 0, 0x5c5b90c34e376d0b),
            (Array("0123456789abcdef0123456789abcdef".utf8), 0, 0x642a94958e71e6c5),
            (stripes, 0, 0xe921a1b45bd779f8),
            (Array("abc".utf8), 0x9E37_79B9_7F4A_7C15, 0x2ed0f59d6b43ac8b),
        ]
        for (bytes, seed, expected) in cases {
            #expect(bytes.withUnsafeBytes { XXHash64.hash($0, seed: seed) } == expected, "\(bytes.count) bytes")
        }
        // From an odd offset: the words are read unaligned.
        #expect(stripes.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[5..<72])) } == 0x5c42ba77b19e7cec)
    }
}
