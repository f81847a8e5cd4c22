/// Is the byte sequence valid UTF-8?
package func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var ascii = true
    for b in bytes where b >= 0x80 { ascii = false; break }
    if ascii { return true }
    let failed = transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
    return !failed
}
