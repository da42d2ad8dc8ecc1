import NIOCore

/// Writes JSON the way fastjson 1.2.x `toJSONString` does (§1.9): no whitespace, control characters
/// as `\uXXXX` (except `\b \t \n \f \r`), non-string map keys unquoted. With `browserCompatible`
/// (the name server's route reply, §3.2.3) every key is quoted and non-ASCII text is escaped.
public struct JSONWriter: Sendable {
    public var browserCompatible: Bool

    public init(browserCompatible: Bool = false) {
        self.browserCompatible = browserCompatible
    }

    public func write(_ value: JSONValue, into buffer: inout ByteBuffer) {
        switch value {
        case .null:
            buffer.writeStaticString("null")
        case .bool(let flag):
            if flag { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
        case .number(let text):
            if browserCompatible, let long = Int64(text), long > 9_007_199_254_740_991 || long < -9_007_199_254_740_991 {
                writeString(text, into: &buffer)
            } else {
                buffer.writeString(text)
            }
        case .string(let text):
            writeString(text, into: &buffer)
        case .array(let elements):
            buffer.writeInteger(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(element, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let object):
            buffer.writeInteger(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                switch member.key {
                case .string(let name):
                    writeString(name, into: &buffer)
                case .number(let text) where browserCompatible:
                    writeString(text, into: &buffer)
                default:
                    // fastjson writes a non-String map key as the raw JSON of the key object.
                    write(member.key, into: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: ":"))
                write(member.value, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// fastjson's `PrettyFormat`, the form of the broker's `config/*.json` files: tab indents, one
    /// member per line, except maps with non-string keys, which stay on one line and close on the next.
    public func prettyString(_ value: JSONValue) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        writePretty(value, depth: 0, into: &buffer)
        return String(buffer: buffer)
    }

    private func writePretty(_ value: JSONValue, depth: Int, into buffer: inout ByteBuffer) {
        guard case .object(let object) = value, !object.members.isEmpty else {
            write(value, into: &buffer)
            return
        }
        let stringKeys = object.members.allSatisfy { if case .string = $0.key { true } else { false } }
        buffer.writeInteger(UInt8(ascii: "{"))
        for (offset, member) in object.members.enumerated() {
            if offset > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            if stringKeys {
                buffer.writeInteger(UInt8(ascii: "\n"))
                buffer.writeRepeatingByte(UInt8(ascii: "\t"), count: depth + 1)
                write(member.key, into: &buffer)
            } else {
                write(member.key, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ":"))
            writePretty(member.value, depth: depth + 1, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        buffer.writeRepeatingByte(UInt8(ascii: "\t"), count: depth)
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    public func encode(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        write(value, into: &buffer)
        return buffer
    }

    public func string(_ value: JSONValue) -> String {
        String(buffer: encode(value))
    }

    /// A double-quoted string with fastjson's escapes.
    public func writeString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        if browserCompatible {
            for unit in text.utf16 {
                if unit >= 0x80 {
                    writeUnicodeEscape(unit, into: &buffer)
                } else {
                    writeEscaped(UInt8(unit), into: &buffer)
                }
            }
        } else {
            var utf8 = text.utf8
            let done: Void? = utf8.withContiguousStorageIfAvailable { bytes in
                var runStart = 0
                for (i, byte) in bytes.enumerated() where Self.needsEscape(byte) {
                    if runStart < i { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart..<i])) }
                    writeEscaped(byte, into: &buffer)
                    runStart = i + 1
                }
                if runStart < bytes.count {
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart...]))
                }
            }
            if done == nil {
                var copy = text
                copy.makeContiguousUTF8()
                utf8 = copy.utf8
                for byte in utf8 { writeEscaped(byte, into: &buffer) }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    @inline(__always)
    private func writeEscaped(_ byte: UInt8, into buffer: inout ByteBuffer) {
        guard Self.needsEscape(byte) else {
            buffer.writeInteger(byte)
            return
        }
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0C: buffer.writeStaticString("\\f")
        case 0x0D: buffer.writeStaticString("\\r")
        default: writeUnicodeEscape(UInt16(byte), into: &buffer)
        }
    }

    private func writeUnicodeEscape(_ unit: UInt16, into buffer: inout ByteBuffer) {
        let digits: StaticString = "0123456789ABCDEF"
        let hex = digits.utf8Start
        buffer.writeStaticString("\\u")
        buffer.writeInteger(hex[Int(unit >> 12 & 0xF)])
        buffer.writeInteger(hex[Int(unit >> 8 & 0xF)])
        buffer.writeInteger(hex[Int(unit >> 4 & 0xF)])
        buffer.writeInteger(hex[Int(unit & 0xF)])
    }
}
