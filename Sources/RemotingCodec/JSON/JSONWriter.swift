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

    /// A double-quoted string with fastjson's escapes (the same writer the JSON header codec uses).
    public func writeString(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: RawWriter.jsonStringCapacity(text)) { raw in
            var writer = RawWriter(raw)
            writer.jsonString(text, escapingNonASCII: browserCompatible)
            return writer.offset
        }
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }
}
