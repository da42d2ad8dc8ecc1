/// Writes into memory already reserved in a `ByteBuffer`: header encoders size the header first and
/// then fill it without per-field capacity, copy-on-write and exclusivity checks.
struct RawWriter {
    let base: UnsafeMutableRawPointer
    var offset = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress!
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    @inline(__always)
    mutating func int16(_ value: Int16) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int16.self)
        offset += 2
    }

    @inline(__always)
    mutating func int32(_ value: Int32) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int32.self)
        offset += 4
    }

    @inline(__always)
    mutating func bytes(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            guard let source = utf8.baseAddress, !utf8.isEmpty else { return }
            (base + offset).copyMemory(from: source, byteCount: utf8.count)
            offset += utf8.count
        }
    }

    @inline(__always)
    mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let start = source.baseAddress, !source.isEmpty else { return }
        (base + offset).copyMemory(from: start, byteCount: source.count)
        offset += source.count
    }

    @inline(__always)
    mutating func staticBytes(_ text: StaticString) {
        (base + offset).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        offset += text.utf8CodeUnitCount
    }

    /// The decimal text of `value`, as Java's `String.valueOf`.
    mutating func decimal(_ value: Int64) {
        Self.withDecimal(value) { bytes($0) }
    }

    /// The decimal text of `value` (Java's `String.valueOf`) in a scratch buffer on the stack.
    static func withDecimal<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var magnitude = value.magnitude
            var index = scratch.count
            repeat {
                index -= 1
                scratch[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "-")
            }
            return body(UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// A JSON string in fastjson's escaping: control characters as `\uXXXX` (except `\b \t \n \f \r`),
    /// `"` and `\` escaped; with `escapingNonASCII` (BrowserCompatible) every non-ASCII UTF-16 unit
    /// as `\uXXXX` too. At most 6 bytes per input byte + 2.
    mutating func jsonString(_ text: String, escapingNonASCII: Bool = false) {
        byte(UInt8(ascii: "\""))
        if escapingNonASCII {
            for unit in text.utf16 {
                if unit >= 0x80 {
                    unicodeEscape(unit)
                } else if JSONWriter.needsEscape(UInt8(unit)) {
                    escape(UInt8(unit))
                } else {
                    byte(UInt8(unit))
                }
            }
        } else {
            var text = text
            text.withUTF8 { jsonStringBody(UnsafeRawBufferPointer($0)) }
        }
        byte(UInt8(ascii: "\""))
    }

    /// A JSON string of UTF-8 bytes, as `jsonString` without `escapingNonASCII`.
    mutating func jsonString(_ utf8: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        jsonStringBody(utf8)
        byte(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escape in one go.
    @inline(__always)
    private mutating func jsonStringBody(_ utf8: UnsafeRawBufferPointer) {
        var runStart = 0
        var index = 0
        while index < utf8.count {
            if utf8.count &- index >= 8 {
                // A word at a time up to the first byte that needs an escape (JSONWriter.needsEscape).
                let word = ByteWord.load(utf8, at: index)
                let escapes = ByteWord.lanes(of: word, below: 0x20) | ByteWord.lanes(of: word, equalTo: UInt8(ascii: "\""))
                    | ByteWord.lanes(of: word, equalTo: UInt8(ascii: "\\")) | ByteWord.lanes(of: word, equalTo: 0x7F)
                let lane = ByteWord.firstLane(escapes)
                index &+= lane
                if lane == 8 { continue }
            } else if !JSONWriter.needsEscape(utf8[index]) {
                index += 1
                continue
            }
            let value = utf8[index]
            if runStart < index {
                bytes(UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
            }
            escape(value)
            index += 1
            runStart = index
        }
        if runStart < utf8.count {
            bytes(UnsafeRawBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    private mutating func escape(_ value: UInt8) {
        switch value {
        case UInt8(ascii: "\""): staticBytes("\\\"")
        case UInt8(ascii: "\\"): staticBytes("\\\\")
        case 0x08: staticBytes("\\b")
        case 0x09: staticBytes("\\t")
        case 0x0A: staticBytes("\\n")
        case 0x0C: staticBytes("\\f")
        case 0x0D: staticBytes("\\r")
        default: unicodeEscape(UInt16(value))
        }
    }

    private mutating func unicodeEscape(_ unit: UInt16) {
        let hex: StaticString = "0123456789ABCDEF"
        staticBytes("\\u")
        byte(hex.utf8Start[Int(unit >> 12 & 0xF)])
        byte(hex.utf8Start[Int(unit >> 8 & 0xF)])
        byte(hex.utf8Start[Int(unit >> 4 & 0xF)])
        byte(hex.utf8Start[Int(unit & 0xF)])
    }

    /// Upper bound of `jsonString`'s output.
    @inline(__always)
    static func jsonStringCapacity(_ text: String) -> Int { text.utf8.count * 6 + 2 }
}
