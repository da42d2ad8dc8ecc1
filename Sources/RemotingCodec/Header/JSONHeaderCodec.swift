import NIOCore

/// The JSON header encoding (serialize type 0, §1.3).
enum JSONHeaderCodec {
    /// Reads a header as leniently as fastjson: unknown keys, a trailing newline, extFields values
    /// that are numbers or booleans, `language` as a name (or an ordinal).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> RemotingCommand {
        var scanner = JSONScanner(bytes)
        var command = RemotingCommand(code: 0, language: .java, version: 0, serializeType: .json)
        do {
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.readKey(depth: 0)
                    try scanner.expect(UInt8(ascii: ":"))
                    guard case .string(let name) = key else {
                        try scanner.skipValue(depth: 1)
                        continue
                    }
                    switch name {
                    case "code": command.code = try readInt32(&scanner, field: name)
                    case "opaque": command.opaque = try readInt32(&scanner, field: name)
                    case "flag": command.flag = try readInt32(&scanner, field: name)
                    case "version": command.version = try readInt32(&scanner, field: name)
                    case "language": command.language = try readLanguage(&scanner)
                    case "remark":
                        if try scanner.peek() == UInt8(ascii: "n") {
                            try scanner.skipValue(depth: 1)
                        } else {
                            command.remark = try scanner.readString()
                        }
                    case "extFields": command.extFields = try readExtFields(&scanner)
                    default: try scanner.skipValue(depth: 1)
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
            let first = try scanner.peek()
            switch first {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                fields.append(name, try scanner.readString())
            default:
                switch try scanner.readValue(depth: 2) {
                case .number(let text): fields.append(name, text)
                case .bool(let flag): fields.append(name, flag ? "true" : "false")
                case .null: break
                case .string(let text): fields.append(name, text)
                case .array, .object:
                    throw FrameError.invalidHeaderField("extFields.\(name)")
                }
            }
        } while try scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return fields
    }

    /// Writes the header as Java does: keys in fastjson's alphabetical order, nulls omitted, every
    /// extFields value a string.
    static func encode(_ command: RemotingCommand, into buffer: inout ByteBuffer) {
        let writer = JSONWriter()
        buffer.writeStaticString("{\"code\":")
        buffer.writeString(String(command.code))
        if let extFields = command.extFields {
            buffer.writeStaticString(",\"extFields\":{")
            var first = true
            for field in extFields {
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                writer.writeString(field.name, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                writer.writeString(field.value, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
        buffer.writeStaticString(",\"flag\":")
        buffer.writeString(String(command.flag))
        buffer.writeStaticString(",\"language\":\"")
        buffer.writeString(command.language.name)
        buffer.writeStaticString("\",\"opaque\":")
        buffer.writeString(String(command.opaque))
        if let remark = command.remark {
            buffer.writeStaticString(",\"remark\":")
            writer.writeString(remark, into: &buffer)
        }
        buffer.writeStaticString(",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":")
        buffer.writeString(String(command.version))
        buffer.writeInteger(UInt8(ascii: "}"))
    }
}
