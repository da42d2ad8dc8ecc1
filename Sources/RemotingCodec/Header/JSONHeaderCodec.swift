import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The JSON header encoding (serialize type 0, §1.3).
enum JSONHeaderCodec {
    /// The top-level keys a header reader acts on, matched on raw bytes (no `String` per key).
    enum HeaderField {
        case code, opaque, flag, version, language, remark, extFields, unknown

        init(_ key: UnsafeRawBufferPointer) {
            func equals(_ name: StaticString) -> Bool {
                key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
            }
            switch key.count {
            case 4: self = equals("code") ? .code : equals("flag") ? .flag : .unknown
            case 6: self = equals("opaque") ? .opaque : equals("remark") ? .remark : .unknown
            case 7: self = equals("version") ? .version : .unknown
            case 8: self = equals("language") ? .language : .unknown
            case 9: self = equals("extFields") ? .extFields : .unknown
            default: self = .unknown
            }
        }

        init(_ name: String) {
            var name = name
            self = name.withUTF8 { HeaderField(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Reads a header as leniently as fastjson: unknown keys, a trailing newline, extFields values
    /// that are numbers or booleans, `language` as a name (or an ordinal).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> RemotingCommand {
        var scanner = JSONScanner(bytes)
        var command = RemotingCommand(code: 0, language: .java, version: 0, serializeType: .json)
        do {
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let field: HeaderField
                    if let key = try scanner.readPlainKey() {
                        field = HeaderField(key)
                    } else if case .string(let name) = try scanner.readKey(depth: 0) {
                        field = HeaderField(name)
                    } else {
                        field = .unknown
                    }
                    try scanner.expect(UInt8(ascii: ":"))
                    switch field {
                    case .code: command.code = try readInt32(&scanner, field: "code")
                    case .opaque: command.opaque = try readInt32(&scanner, field: "opaque")
                    case .flag: command.flag = try readInt32(&scanner, field: "flag")
                    case .version: command.version = try readInt32(&scanner, field: "version")
                    case .language: command.language = try readLanguage(&scanner)
                    case .remark:
                        if try scanner.peek() == UInt8(ascii: "n") {
                            try scanner.skipValue(depth: 1)
                        } else {
                            command.remark = try scanner.readString()
                        }
                    case .extFields: command.extFields = try readExtFields(&scanner)
                    case .unknown: try scanner.skipValue(depth: 1)
                    }
                } while try scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            try scanner.expectEnd()
        } catch let error as JSONError {
            throw .malformedJSONHeader(error)
        } catch let error as FrameError {
            throw error
        } catch {
            throw .invalidHeaderField("\(error)")
        }
        return command
    }

    private static func readInt32(_ scanner: inout JSONScanner, field: String) throws -> Int32 {
        if try scanner.peek() == UInt8(ascii: "n") {
            try scanner.skipValue(depth: 1)
            return 0
        }
        let value = try scanner.readInt64()
        guard let narrow = Int32(exactly: value) else { throw FrameError.invalidHeaderField(field) }
        return narrow
    }

    private static func readLanguage(_ scanner: inout JSONScanner) throws -> LanguageCode {
        switch try scanner.readValue(depth: 1) {
        case .string(let name):
            // fastjson leaves an unknown enum name null; Java then treats the peer as an unknown kind.
            return LanguageCode(name: name) ?? .other
        case .number(let text):
            return UInt8(text).flatMap(LanguageCode.init(rawValue:)) ?? .other
        case .null:
            return .java
        default:
            throw FrameError.invalidHeaderField("language")
        }
    }

    private static func readExtFields(_ scanner: inout JSONScanner) throws -> ExtFields? {
        if try scanner.peek() == UInt8(ascii: "n") {
            try scanner.skipValue(depth: 1)
            return nil
        }
        try scanner.expect(UInt8(ascii: "{"))
        var fields = ExtFields(minimumCapacity: 16)
        if try scanner.consume(UInt8(ascii: "}")) { return fields }
        repeat {
            let key = try scanner.readKey(depth: 1)
            try scanner.expect(UInt8(ascii: ":"))
            let name: String
            switch key {
            case .string(let text), .number(let text): name = text
            default: throw FrameError.invalidHeaderField("extFields")
            }
            // fastjson coerces numbers and booleans into the String map; null puts no usable value.
            switch try scanner.readValue(depth: 2) {
            case .string(let text), .number(let text): fields.append(name, text)
            case .bool(let flag): fields.append(name, flag ? "true" : "false")
            case .null: break
            case .array, .object: throw FrameError.invalidHeaderField("extFields.\(name)")
            }
        } while try scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return fields
    }

    /// Writes the header as Java does: keys in fastjson's alphabetical order, nulls omitted, every
    /// extFields value a string.
    static func encode(_ command: RemotingCommand, into buffer: inout ByteBuffer) {
        // Sized for the worst case (every byte escaped as \u00XX); the actual length is returned.
        var capacity = 160 + command.language.name.utf8.count + (command.remark.map(RawWriter.jsonStringCapacity) ?? 0)
        if let extFields = command.extFields {
            for field in extFields.fields {
                capacity += 2 + RawWriter.jsonStringCapacity(field.name) + RawWriter.jsonStringCapacity(field.value)
            }
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { raw in
            var writer = RawWriter(raw)
            writer.staticBytes("{\"code\":")
            writer.decimal(Int64(command.code))
            if let extFields = command.extFields {
                writer.staticBytes(",\"extFields\":{")
                var first = true
                for field in extFields.fields {
                    if !first { writer.byte(UInt8(ascii: ",")) }
                    first = false
                    writer.jsonString(field.name)
                    writer.byte(UInt8(ascii: ":"))
                    writer.jsonString(field.value)
                }
                writer.byte(UInt8(ascii: "}"))
            }
            writer.staticBytes(",\"flag\":")
            writer.decimal(Int64(command.flag))
            writer.staticBytes(",\"language\":\"")
            writer.bytes(command.language.name)
            writer.staticBytes("\",\"opaque\":")
            writer.decimal(Int64(command.opaque))
            if let remark = command.remark {
                writer.staticBytes(",\"remark\":")
                writer.jsonString(remark)
            }
            writer.staticBytes(",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":")
            writer.decimal(Int64(command.version))
            writer.byte(UInt8(ascii: "}"))
            return writer.offset
        }
    }
}
