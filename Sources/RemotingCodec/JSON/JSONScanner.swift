import RocketMQModel

/// A lenient, allocation-light JSON reader over raw bytes, as permissive as fastjson where real
/// peers need it: bare numeric and object map keys, single-quoted strings, trailing whitespace or a
/// newline (the C++ client ends its JSON with `\n`).
struct JSONScanner {
    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.index = 0
    }

    var isAtEnd: Bool { index >= bytes.count }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func peek() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw .unexpectedEnd }
        return bytes[index]
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONError) {
        let found = try peek()
        guard found == byte else { throw .unexpectedByte(found, at: index) }
        index += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    @inline(__always)
    mutating func consume(_ byte: UInt8) throws(JSONError) -> Bool {
        if try peek() == byte {
            index += 1
            return true
        }
        return false
    }

    /// After the whole document: only whitespace may follow.
    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        guard index >= bytes.count else { throw .trailingData(at: index) }
    }

    // MARK: Strings

    /// Index of the first `quote` or backslash from `start`, or of the last word's start when there is none: the
    /// caller's byte loop goes on from there.
    @inline(__always)
    private func stop(from start: Int, quote: UInt8) -> Int {
        var position = start
        while bytes.count &- position >= 8 {
            let word = ByteWord.load(bytes, at: position)
            let lane = ByteWord.firstLane(ByteWord.lanes(of: word, equalTo: quote) | ByteWord.lanes(of: word, equalTo: UInt8(ascii: "\\")))
            position &+= lane
            if lane < 8 { break }
        }
        return position
    }

    /// Reads a quoted string (double or single quotes) at the current position.
    mutating func readString() throws(JSONError) -> String {
        let quote = try peek()
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw .unexpectedByte(quote, at: index)
        }
        index += 1
        let start = index
        // Fast path: no escapes.
        index = stop(from: index, quote: quote)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let text = UTF8Validation.string(slice) else { throw .invalidUTF8(at: start) }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        guard index < bytes.count else { throw .unexpectedEnd }
        // Escapes only shrink the text: decode in place into a String of the raw length.
        var end = index
        while end < bytes.count, bytes[end] != quote {
            end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard end < bytes.count else { throw .unexpectedEnd }
        var failure: JSONError?
        let text = String(unsafeUninitializedCapacity: end - start) { output in
            do throws(JSONError) {
                return try unescape(start..<end, into: output)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        index = end + 1
        return text
    }

    /// Reads a quoted string at the current position into `output`, which has room for `capacity`
    /// bytes; returns the number of UTF-8 bytes written (escapes only shrink the text).
    mutating func copyString(to output: UnsafeMutableRawPointer, capacity: Int) throws(JSONError) -> Int {
        let quote = try peek()
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw .unexpectedByte(quote, at: index)
        }
        // Most header names and values are a few ASCII bytes without escapes: one word, no loop.
        if bytes.count &- index > 8, capacity >= 8 {
            let word = ByteWord.load(bytes, at: index &+ 1)
            let run = ByteWord.firstLane(
                ByteWord.lanes(of: word, equalTo: quote) | ByteWord.lanes(of: word, equalTo: UInt8(ascii: "\\")))
            if run < 8, bytes[index &+ 1 &+ run] == quote, ByteWord.prefix(word, lanes: run) & ByteWord.highs == 0 {
                output.storeBytes(of: word.littleEndian, as: UInt64.self)
                index &+= run &+ 2
                return run
            }
        }
        return try copyLongString(quote: quote, to: output, capacity: capacity)
    }

    /// `copyString` past its one-word case.
    private mutating func copyLongString(quote: UInt8, to output: UnsafeMutableRawPointer, capacity: Int) throws(JSONError) -> Int {
        // One pass: copies and decodes escapes while it looks for the closing quote (a properties
        // string has an escape every few bytes).
        let out = UnsafeMutableBufferPointer(start: output.assumingMemoryBound(to: UInt8.self), count: capacity)
        var reader = index + 1
        var written = 0
        var bits: UInt8 = 0
        var wideBits: UInt64 = 0
        while true {
            // Runs without a quote or backslash go a word at a time while the room has a word to spare.
            while bytes.count &- reader >= 8, capacity &- written >= 8 {
                let word = ByteWord.load(bytes, at: reader)
                let stops = ByteWord.lanes(of: word, equalTo: quote) | ByteWord.lanes(of: word, equalTo: UInt8(ascii: "\\"))
                (output + written).storeBytes(of: word.littleEndian, as: UInt64.self)
                let run = ByteWord.firstLane(stops)
                wideBits |= ByteWord.prefix(word, lanes: run)
                reader &+= run
                written &+= run
                if run < 8 { break }
            }
            guard reader < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[reader]
            if byte == quote { break }
            if byte == UInt8(ascii: "\\") {
                // An escape writes at most 4 bytes; near the end of the room it is decoded aside first.
                if capacity - written >= 4 {
                    reader = try decodeEscape(at: reader, end: bytes.count, into: out, written: &written)
                } else {
                    var aside: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                    var count = 0
                    reader = try withUnsafeMutableBytes(of: &aside) { raw throws(JSONError) in
                        try decodeEscape(at: reader, end: bytes.count, into: raw.bindMemory(to: UInt8.self), written: &count)
                    }
                    guard count <= capacity - written else { throw .unexpectedByte(quote, at: index) }
                    withUnsafeBytes(of: aside) { raw in
                        for offset in 0..<count { out[written + offset] = raw[offset] }
                    }
                    written += count
                }
                continue
            }
            guard written < capacity else { throw .unexpectedByte(quote, at: index) }
            out[written] = byte
            bits |= byte
            written += 1
            reader += 1
        }
        // Escapes only write valid scalars: only raw bytes need checking.
        guard bits < 0x80 && wideBits & ByteWord.highs == 0 || UTF8Validation.isValid(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<written])) else {
            throw .invalidUTF8(at: index + 1)
        }
        index = reader + 1
        return written
    }

    /// Decodes the string content `range` (escapes included) into `output`, which has room for
    /// `range.count` bytes (escapes only shrink the text); returns the bytes written, valid UTF-8.
    private func unescape(_ range: Range<Int>, into output: UnsafeMutableBufferPointer<UInt8>) throws(JSONError) -> Int {
        var written = 0
        var reader = range.lowerBound
        while reader < range.upperBound {
            let byte = bytes[reader]
            guard byte == UInt8(ascii: "\\") else {
                output[written] = byte
                written += 1
                reader += 1
                continue
            }
            reader = try decodeEscape(at: reader, end: range.upperBound, into: output, written: &written)
        }
        guard UTF8Validation.isValid(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[0..<written])) else {
            throw .invalidUTF8(at: range.lowerBound)
        }
        return written
    }

    /// Skips a quoted string, checking it as `readString` does, without building it.
    private mutating func skipString() throws(JSONError) {
        let quote = bytes[index]
        let start = index + 1
        var end = stop(from: start, quote: quote)
        while end < bytes.count, bytes[end] != quote {
            if bytes[end] == UInt8(ascii: "\\") {
                _ = try readString()
                return
            }
            end += 1
        }
        guard end < bytes.count else { throw .unexpectedEnd }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        guard UTF8Validation.isASCII(raw) || UTF8Validation.isValid(raw) else { throw .invalidUTF8(at: start) }
        index = end + 1
    }

    /// Decodes the escape at `position` (a backslash) into `output`; returns the index after it.
    private func decodeEscape(at position: Int, end: Int, into output: UnsafeMutableBufferPointer<UInt8>, written: inout Int) throws(JSONError) -> Int {
        guard position + 1 < end else { throw .invalidEscape(at: position) }
        let escaped = bytes[position + 1]
        func put(_ byte: UInt8) {
            output[written] = byte
            written += 1
        }
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "'"): put(escaped)
        case UInt8(ascii: "b"): put(0x08)
        case UInt8(ascii: "f"): put(0x0C)
        case UInt8(ascii: "n"): put(0x0A)
        case UInt8(ascii: "r"): put(0x0D)
        case UInt8(ascii: "t"): put(0x09)
        case UInt8(ascii: "u"):
            var next = position + 2
            var scalar = try hex4(at: next, end: end, escapeAt: position)
            next += 4
            if (0xD800..<0xDC00).contains(scalar) {
                // A surrogate pair spells one scalar; a lone surrogate is invalid text.
                guard next + 1 < end, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u") else {
                    throw .invalidUTF8(at: position)
                }
                let low = try hex4(at: next + 2, end: end, escapeAt: position)
                guard (0xDC00..<0xE000).contains(low) else { throw .invalidUTF8(at: position) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw .invalidUTF8(at: position)
            }
            guard let unicode = Unicode.Scalar(scalar), let encoded = UTF8.encode(unicode) else { throw .invalidUTF8(at: position) }
            // \uXXXX is 6 input bytes and at most 4 output bytes (a pair: 12 in, 4 out).
            for byte in encoded { put(byte) }
            return next
        default:
            throw .invalidEscape(at: position)
        }
        return position + 2
    }

    private func hex4(at position: Int, end: Int, escapeAt: Int) throws(JSONError) -> UInt32 {
        guard position + 4 <= end else { throw .invalidEscape(at: escapeAt) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalidEscape(at: escapeAt)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: Numbers and literals

    /// Reads a number literal and returns its text (validated loosely: sign, digits, fraction, exponent).
    mutating func readNumberText() throws(JSONError) -> String {
        String(decoding: try readNumberBytes(), as: UTF8.self)
    }

    /// The bytes of a number literal, consumed.
    mutating func readNumberBytes() throws(JSONError) -> UnsafeRawBufferPointer {
        _ = try peek()
        let start = index
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var digits = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "-"), UInt8(ascii: "+"): break
            default:
                guard digits > 0 else { throw .unexpectedByte(byte, at: index) }
                return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            }
            index += 1
        }
        guard digits > 0 else { throw .unexpectedEnd }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    /// Reads an Int64 number directly (header fields), also from a quoted numeric string.
    mutating func readInt64() throws(JSONError) -> Int64 {
        let first = try peek()
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            let at = index
            guard let value = Int64(try readString()) else { throw .unexpectedByte(first, at: at) }
            return value
        }
        let at = index
        var negative = false
        if first == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw .unexpectedByte(bytes[index], at: index) }
            value = next
            digits += 1
            index += 1
        }
        guard digits > 0 else {
            guard index < bytes.count else { throw .unexpectedEnd }
            throw .unexpectedByte(bytes[index], at: at)
        }
        return value
    }

    mutating func readLiteral(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .unexpectedEnd }
        let pointer = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] {
            throw .unexpectedByte(bytes[index + offset], at: index + offset)
        }
        index += count
    }

    /// A bare (unquoted) identifier key, as fastjson accepts: `{a:1}`.
    private mutating func readIdentifier() throws(JSONError) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isIdentifier = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
            guard isIdentifier else { break }
            index += 1
        }
        guard index > start else {
            guard index < bytes.count else { throw .unexpectedEnd }
            throw .unexpectedByte(bytes[index], at: index)
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    // MARK: Values

    mutating func readValue(depth: Int = 0) throws(JSONError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw .nestingTooDeep }
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"):
            return .object(try readObject(depth: depth))
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            if try consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try readValue(depth: depth + 1))
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
            return .array(elements)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumberText())
        default:
            throw .unexpectedByte(byte, at: index)
        }
    }

    private mutating func readObject(depth: Int) throws(JSONError) -> JSONObject {
        try expect(UInt8(ascii: "{"))
        var object = JSONObject()
        if try consume(UInt8(ascii: "}")) { return object }
        repeat {
            let key = try readKey(depth: depth)
            try expect(UInt8(ascii: ":"))
            let value = try readValue(depth: depth + 1)
            object.members.append(JSONObject.Member(key: key, value: value))
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
        return object
    }

    /// A member key: a string, a bare number (`{0:"…"}`), a whole object (`{{"brokerName":…}:…}`)
    /// or a bare identifier.
    mutating func readKey(depth: Int) throws(JSONError) -> JSONValue {
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try readString())
        case UInt8(ascii: "{"), UInt8(ascii: "["): return try readValue(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumberText())
        default: return .string(try readIdentifier())
        }
    }

    /// The raw bytes of a quoted key without escapes, consumed; nil (nothing consumed) otherwise.
    mutating func readPlainKey() throws(JSONError) -> UnsafeRawBufferPointer? {
        let quote = try peek()
        guard quote == UInt8(ascii: "\"") else { return nil }
        var end = stop(from: index + 1, quote: quote)
        while end < bytes.count {
            let byte = bytes[end]
            if byte == quote {
                let key = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end])
                index = end + 1
                return key
            }
            if byte == UInt8(ascii: "\\") { return nil }
            end += 1
        }
        throw .unexpectedEnd
    }

    /// Skips one value of any kind (unknown header keys).
    mutating func skipValue(depth: Int = 0) throws(JSONError) {
        switch try peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try readNumberBytes()
        default: _ = try readValue(depth: depth)
        }
    }
}

extension JSONValue {
    /// Parses fastjson-dialect JSON text.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var scanner = JSONScanner(bytes)
        let value = try scanner.readValue()
        try scanner.expectEnd()
        return value
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError> = Array(bytes).withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
