import NIOCore
import RocketMQModel

/// The ROCKETMQ binary header encoding (serialize type 1, §1.4, Java `RocketMQSerializable`).
enum RocketMQHeaderCodec {
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> RemotingCommand {
        var reader = BinaryReader(bytes: bytes)
        let code = Int32(try reader.readInt16())
        let languageByte = try reader.readUInt8()
        let version = Int32(try reader.readInt16())
        let opaque = try reader.readInt32()
        let flag = try reader.readInt32()
        let remark = try reader.readString(lengthBytes: 4, field: "remark")
        var command = RemotingCommand(
            code: code, language: LanguageCode(rawValue: languageByte) ?? .other, version: version,
            opaque: opaque, flag: flag, remark: remark, serializeType: .rocketmq)
        let extLength = Int(try reader.readInt32())
        guard extLength >= 0, extLength <= reader.remaining else {
            throw .malformedBinaryHeader("extFields length \(extLength) exceeds the header")
        }
        if extLength > 0 {
            let region = UnsafeRawBufferPointer(rebasing: bytes[reader.index..<reader.index + extLength])
            command.extFields = try extFields(region)
            reader.index += extLength
        } else {
            command.extFields = ExtFields()
        }
        guard reader.remaining == 0 else {
            throw .malformedBinaryHeader("\(reader.remaining) bytes after the extFields")
        }
        return command
    }

    /// The extFields region: its layout is `ExtFields`' own, so once every entry is checked it is
    /// copied as it is. A zero-length name or value decodes to null in Java (the entry is absent):
    /// such entries are dropped, which needs a second pass.
    static func extFields(_ region: UnsafeRawBufferPointer) throws(FrameError) -> ExtFields {
        var entries = BinaryReader(bytes: region)
        var hasNull = false
        // Usually every length is below 128, so the whole region, lengths included, is ASCII.
        let isASCII = UTF8Validation.isASCII(region)
        while entries.remaining > 0 {
            let name = try entries.readBytes(lengthBytes: 2, field: "extFields key")
            guard isASCII || UTF8Validation.isValid(name) else { throw .invalidUTF8(field: "extFields key") }
            let value = try entries.readBytes(lengthBytes: 4, field: "extFields value")
            guard isASCII || UTF8Validation.isValid(value) else { throw .invalidUTF8(field: "extFields value") }
            if name.isEmpty || value.isEmpty { hasNull = true }
        }
        guard hasNull else { return ExtFields(validatedBytes: Array(region)) }
        var fields = ExtFields(minimumCapacity: 16)
        entries = BinaryReader(bytes: region)
        while entries.remaining > 0 {
            let name = try entries.readBytes(lengthBytes: 2, field: "extFields key")
            let value = try entries.readBytes(lengthBytes: 4, field: "extFields value")
            if !name.isEmpty, !value.isEmpty { fields.appendRaw(name, value) }
        }
        return fields
    }

    static func capacity(_ command: RemotingCommand) -> Int {
        21 + (command.remark?.utf8.count ?? 0) + (command.extFields?.bytes.count ?? 0)
    }

    static func write(_ command: RemotingCommand, into writer: inout RawWriter) {
        writer.int16(Int16(truncatingIfNeeded: command.code))
        writer.byte(command.language.rawValue)
        writer.int16(Int16(truncatingIfNeeded: command.version))
        writer.int32(command.opaque)
        writer.int32(command.flag)
        if let remark = command.remark, !remark.isEmpty {
            writer.int32(Int32(truncatingIfNeeded: remark.utf8.count))
            writer.bytes(remark)
        } else {
            writer.int32(0)
        }
        if let extFields = command.extFields {
            // Already in the wire layout (§1.4).
            extFields.withRawBytes { (raw) -> Void in
                writer.int32(Int32(truncatingIfNeeded: raw.count))
                writer.bytes(raw)
            }
        } else {
            writer.int32(0)
        }
    }
}

/// Bounds-checked big-endian reads over a header's bytes.
struct BinaryReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    var remaining: Int { bytes.count - index }

    @inline(__always)
    mutating func readUInt8() throws(FrameError) -> UInt8 {
        guard remaining >= 1 else { throw .malformedBinaryHeader("header truncated") }
        defer { index += 1 }
        return bytes[index]
    }

    @inline(__always)
    mutating func readInt16() throws(FrameError) -> Int16 {
        guard remaining >= 2 else { throw .malformedBinaryHeader("header truncated") }
        defer { index += 2 }
        return Int16(bitPattern: UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
    }

    @inline(__always)
    mutating func readInt32() throws(FrameError) -> Int32 {
        guard remaining >= 4 else { throw .malformedBinaryHeader("header truncated") }
        defer { index += 4 }
        return Int32(bitPattern: UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16
            | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3]))
    }

    /// The bytes of a length-prefixed field (2- or 4-byte signed length).
    @inline(__always)
    mutating func readBytes(lengthBytes: Int, field: String) throws(FrameError) -> UnsafeRawBufferPointer {
        let length = lengthBytes == 2 ? Int(try readInt16()) : Int(try readInt32())
        guard length >= 0, length <= remaining else {
            throw .malformedBinaryHeader("\(field) length \(length) exceeds the header")
        }
        defer { index += length }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<index + length])
    }

    /// A length-prefixed UTF-8 string; length 0 is null, as Java reads it.
    mutating func readString(lengthBytes: Int, field: String) throws(FrameError) -> String? {
        let slice = try readBytes(lengthBytes: lengthBytes, field: field)
        guard !slice.isEmpty else { return nil }
        guard let text = UTF8Validation.string(slice) else { throw .invalidUTF8(field: field) }
        return text
    }
}
