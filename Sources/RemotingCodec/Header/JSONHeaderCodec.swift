import NIOCore
import RocketMQModel

/// The JSON header encoding (serialize type 0, §1.3).
enum JSONHeaderCodec {
    /// The top-level keys a header reader acts on, matched on raw bytes (no `String` per key).
    enum HeaderField {
        case code, opaque, flag, version, language, remark, extFields, unknown

        init(_ key: UnsafeRawBufferPointer) {
            switch key.count {
            case 4: self = key.equals("code") ? .code : key.equals("flag") ? .flag : .unknown
            case 6: self = key.equals("opaque") ? .opaque : key.equals("remark") ? .remark : .unknown
            case 7: self = key.equals("version") ? .version : .unknown
            case 8: self = key.equals("language") ? .language : .unknown
            case 9: self = key.equals("extFields") ? .extFields : .unknown
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
        let start = scanner.index
        if let name = try scanner.readPlainKey() {
            if let code = LanguageCode(utf8: name) { return code }
            guard UTF8Validation.isValid(name) else { throw JSONError.invalidUTF8(at: start + 1) }
            return .other
        }
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
        if try scanner.consume(UInt8(ascii: "}")) { return ExtFields() }
        // Fields are written straight into ExtFields' layout. An entry takes 6 bytes of lengths plus
        // its name and value; in JSON it takes at least name + value + 2 (colon, then comma or `}`),
        // more when quoted, and escapes only shrink: twice the rest of the header always suffices.
        let capacity = 2 * (scanner.bytes.count - scanner.index) + 8
        var failure: (any Error)?
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { output, count in
            do {
                count = try writeExtFields(&scanner, into: UnsafeMutableRawBufferPointer(output))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return ExtFields(validatedBytes: bytes)
    }

    /// The members of an extFields object (after its `{`) as ExtFields entries; returns the length.
    private static func writeExtFields(_ scanner: inout JSONScanner, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let base = output.baseAddress!
        var offset = 0
        func copy(_ text: UnsafeRawBufferPointer) throws {
            guard text.count <= output.count - offset else { throw FrameError.invalidHeaderField("extFields") }
            if !text.isEmpty { (base + offset).copyMemory(from: text.baseAddress!, byteCount: text.count) }
            offset += text.count
        }
        repeat {
            let entryStart = offset
            offset += 2
            guard offset + 4 <= output.count else { throw FrameError.invalidHeaderField("extFields") }
            let quote = try scanner.peek()
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                offset += try scanner.copyString(to: base + offset, capacity: output.count - offset)
            } else {
                switch try scanner.readKey(depth: 1) {
                case .string(var text), .number(var text): try text.withUTF8 { try copy(UnsafeRawBufferPointer($0)) }
                default: throw FrameError.invalidHeaderField("extFields")
                }
            }
            let nameLength = offset - entryStart - 2
            // The ROCKETMQ layout (and Java's reader of it) has a 2-byte signed name length.
            guard nameLength <= ExtFields.maximumNameLength else { throw FrameError.invalidHeaderField("extFields") }
            base.storeBytes(of: UInt16(nameLength).bigEndian, toByteOffset: entryStart, as: UInt16.self)
            try scanner.expect(UInt8(ascii: ":"))
            let valueStart = offset + 4
            offset = valueStart
            guard offset <= output.count else { throw FrameError.invalidHeaderField("extFields") }
            // fastjson coerces numbers and booleans into the String map; null puts no usable value.
            switch try scanner.peek() {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                offset += try scanner.copyString(to: base + offset, capacity: output.count - offset)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try copy(try scanner.readNumberBytes())
            case UInt8(ascii: "t"):
                try scanner.readLiteral("true")
                try copy(UnsafeRawBufferPointer(start: StaticString("true").utf8Start, count: 4))
            case UInt8(ascii: "f"):
                try scanner.readLiteral("false")
                try copy(UnsafeRawBufferPointer(start: StaticString("false").utf8Start, count: 5))
            case UInt8(ascii: "n"):
                try scanner.readLiteral("null")
                offset = entryStart
                continue
            default:
                _ = try scanner.readValue(depth: 2)
                let name = String(decoding: UnsafeRawBufferPointer(start: base + entryStart + 2, count: nameLength), as: UTF8.self)
                throw FrameError.invalidHeaderField("extFields.\(name)")
            }
            base.storeBytes(of: UInt32(truncatingIfNeeded: offset - valueStart).bigEndian, toByteOffset: valueStart - 4, as: UInt32.self)
        } while try scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return offset
    }

    /// Upper bound of the header's length: every byte escaped as \u00XX at worst (6 per name or
    /// value byte, and per length byte of the extFields layout for the quotes and separators).
    static func capacity(_ command: RemotingCommand) -> Int {
        160 + command.language.name.utf8.count + (command.remark.map(RawWriter.jsonStringCapacity) ?? 0)
            + 6 * (command.extFields?.bytes.count ?? 0)
    }

    /// Writes the header as Java does: keys in fastjson's alphabetical order, nulls omitted, every
    /// extFields value a string.
    static func write(_ command: RemotingCommand, into writer: inout RawWriter) {
        writer.staticBytes("{\"code\":")
        writer.decimal(Int64(command.code))
        if let extFields = command.extFields {
            writer.staticBytes(",\"extFields\":{")
            var first = true
            extFields.forEachRaw { name, value in
                if !first { writer.byte(UInt8(ascii: ",")) }
                first = false
                writer.jsonString(name)
                writer.byte(UInt8(ascii: ":"))
                writer.jsonString(value)
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
    }
}
