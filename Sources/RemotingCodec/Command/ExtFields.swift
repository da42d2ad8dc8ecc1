/// The custom-header fields of a command (Java `RemotingCommand.extFields`, a `HashMap<String,String>`),
/// kept in arrival order as one byte array in the ROCKETMQ header's layout (§1.4: 2-byte name length,
/// name, 4-byte value length, value, big-endian). Decoding makes no `String` per field: a value
/// becomes one when it is asked for, a ROCKETMQ header re-encodes the fields with one copy, and
/// headers have a handful of fields, so a linear scan beats hashing.
public struct ExtFields: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Valid UTF-8 throughout (checked where bytes come in); names at most `maximumNameLength` bytes.
    @usableFromInline var bytes: [UInt8]

    /// The 2-byte length limits a name; Java reads it as a signed short.
    static let maximumNameLength = Int(Int16.max)

    public init() { bytes = [] }
    public init(minimumCapacity: Int) {
        bytes = []
        bytes.reserveCapacity(minimumCapacity * 32)
    }
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(minimumCapacity: elements.count)
        for (name, value) in elements { append(name, value) }
    }

    /// Takes bytes already in the layout above and already checked.
    init(validatedBytes: [UInt8]) { bytes = validatedBytes }

    public var count: Int {
        var count = 0
        forEachRaw { _, _ in count += 1 }
        return count
    }

    public var isEmpty: Bool { bytes.isEmpty }

    public struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var offset = 0

        public mutating func next() -> Field? {
            guard offset < bytes.count else { return nil }
            return bytes.withUnsafeBytes { raw in
                let entry = ExtFields.entry(in: raw, at: offset)
                offset = entry.end
                return Field(name: String(decoding: entry.name, as: UTF8.self), value: String(decoding: entry.value, as: UTF8.self))
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    /// Value of `name`; a later duplicate wins, as with a Java HashMap put.
    public subscript(name: String) -> String? {
        get { withRawValue(name) { $0.map { String(decoding: $0, as: UTF8.self) } } }
        set {
            // Rare (tests, forwarding): rebuild the bytes, replacing the last `name` in place.
            var fields = Array(self)
            if let index = fields.lastIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name: name, value: newValue))
            }
            var rebuilt = ExtFields(minimumCapacity: fields.count)
            for field in fields { rebuilt.append(field.name, field.value) }
            self = rebuilt
        }
    }

    /// Appends without looking for an existing field: for encoders that write each name once.
    public mutating func append(_ name: String, _ value: String) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { value in appendRaw(UnsafeRawBufferPointer(name), UnsafeRawBufferPointer(value)) }
        }
    }

    /// Appends the decimal text of `value` (Java's `String.valueOf`) without making a `String`.
    public mutating func append(_ name: String, _ value: Int64) {
        var name = name
        name.withUTF8 { name in
            RawWriter.withDecimal(value) { appendRaw(UnsafeRawBufferPointer(name), $0) }
        }
    }

    public mutating func append(_ name: String, _ value: Int32) {
        append(name, Int64(value))
    }

    public mutating func append(_ name: String, _ value: Bool) {
        append(name, value ? "true" : "false")
    }

    /// Appends `value` when it is non-nil (Java omits null header fields).
    @inlinable
    public mutating func append(_ name: String, _ value: (some CustomStringConvertible)?) {
        if let value { append(name, value.description) }
    }

    /// Equality as maps (a repeated name counts with its last value): order ignored.
    public static func == (lhs: ExtFields, rhs: ExtFields) -> Bool {
        if lhs.bytes == rhs.bytes { return true }
        guard lhs.count == rhs.count else { return false }
        return lhs.allSatisfy { rhs[$0.name] == lhs[$0.name] }
    }
}

// MARK: Raw access (no `String` per field)

extension ExtFields {
    struct Entry {
        var name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        var end: Int
    }

    /// The entry at `offset` of well-formed bytes.
    @inline(__always)
    static func entry(in raw: UnsafeRawBufferPointer, at offset: Int) -> Entry {
        let nameLength = Int(raw[offset]) << 8 | Int(raw[offset + 1])
        let nameStart = offset + 2
        let lengthAt = nameStart + nameLength
        let valueLength = Int(raw[lengthAt]) << 24 | Int(raw[lengthAt + 1]) << 16 | Int(raw[lengthAt + 2]) << 8 | Int(raw[lengthAt + 3])
        let valueStart = lengthAt + 4
        return Entry(
            name: UnsafeRawBufferPointer(rebasing: raw[nameStart..<lengthAt]),
            value: UnsafeRawBufferPointer(rebasing: raw[valueStart..<valueStart + valueLength]),
            end: valueStart + valueLength)
    }

    /// `Array.withUnsafeBytes` with a typed error.
    @inline(__always)
    func withRawBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = bytes.withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
        return try result.get()
    }

    /// Calls `body` with each field's name and value bytes, in order.
    @inline(__always)
    func forEachRaw<E: Error>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        try withRawBytes { (raw) throws(E) in
            var offset = 0
            while offset < raw.count {
                let entry = Self.entry(in: raw, at: offset)
                try body(entry.name, entry.value)
                offset = entry.end
            }
        }
    }

    /// The bytes of the last value named `name` (nil when absent), valid inside `body` only.
    func withRawValue<R, E: Error>(_ name: String, _ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        var name = name
        let found: Range<Int>? = name.withUTF8 { target in
            bytes.withUnsafeBytes { raw in
                var found: Range<Int>?
                var offset = 0
                while offset < raw.count {
                    let entry = Self.entry(in: raw, at: offset)
                    if entry.name.count == target.count, Self.equal(entry.name, target) {
                        let start = entry.end - entry.value.count
                        found = start..<entry.end
                    }
                    offset = entry.end
                }
                return found
            }
        }
        return try withRawBytes { (raw) throws(E) in
            try body(found.map { UnsafeRawBufferPointer(rebasing: raw[$0]) })
        }
    }

    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<lhs.count where lhs[index] != rhs[index] { return false }
        return true
    }

    /// Appends one field; `name` and `value` are valid UTF-8.
    mutating func appendRaw(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        precondition(name.count <= Self.maximumNameLength, "extFields name longer than \(Self.maximumNameLength) bytes")
        let nameLength = UInt16(name.count)
        let valueLength = UInt32(truncatingIfNeeded: value.count)
        let entryLength = 6 + name.count + value.count
        // Geometric growth: an exact reserve per field would copy the whole array at every append.
        let needed = bytes.count + entryLength
        if bytes.capacity < needed { bytes.reserveCapacity(Swift.max(needed, bytes.capacity * 2)) }
        // The entry is laid out aside (on the stack when small) and appended in one copy: eight appends
        // per field cost more than the bytes.
        withUnsafeTemporaryAllocation(byteCount: entryLength, alignment: 1) { entry in
            let base = entry.baseAddress!
            base.storeBytes(of: nameLength.bigEndian, as: UInt16.self)
            if !name.isEmpty { (base + 2).copyMemory(from: name.baseAddress!, byteCount: name.count) }
            base.storeBytes(of: valueLength.bigEndian, toByteOffset: 2 + name.count, as: UInt32.self)
            if !value.isEmpty { (base + 6 + name.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
            bytes.append(contentsOf: UnsafeRawBufferPointer(entry))
        }
    }
}

extension ExtFields {
    /// The values of the fields named by one letter `a`…`p` (the compact V2 headers, §3.3.2), found
    /// in one pass; a later duplicate wins.
    struct CompactValues {
        let raw: UnsafeRawBufferPointer
        /// Per letter: value start << 32 | value length, or -1 when absent. Stack memory: a SIMD
        /// vector here stalls on every lane store.
        let slots: UnsafeMutableBufferPointer<Int64>

        subscript(letter: Unicode.Scalar) -> UnsafeRawBufferPointer? {
            let slot = slots[Int(letter.value) - Int(UInt8(ascii: "a"))]
            guard slot >= 0 else { return nil }
            let start = Int(slot >> 32)
            return UnsafeRawBufferPointer(rebasing: raw[start..<start + Int(slot & 0xFFFF_FFFF)])
        }
    }

    func withCompactValues<R, E: Error>(_ body: (CompactValues) throws(E) -> R) throws(E) -> R {
        try withRawBytes { (raw) throws(E) in
            let result: Result<R, E> = withUnsafeTemporaryAllocation(of: Int64.self, capacity: 16) { slots in
                slots.initialize(repeating: -1)
                var offset = 0
                while offset < raw.count {
                    let entry = Self.entry(in: raw, at: offset)
                    if entry.name.count == 1 {
                        let slot = Int(entry.name[0]) &- Int(UInt8(ascii: "a"))
                        if slot >= 0, slot < 16 {
                            slots[slot] = Int64(entry.end - entry.value.count) << 32 | Int64(entry.value.count)
                        }
                    }
                    offset = entry.end
                }
                return Result { () throws(E) -> R in try body(CompactValues(raw: raw, slots: slots)) }
            }
            return try result.get()
        }
    }
}

/// Java's parsers over a field's bytes, so typed headers read numbers without a `String`.
enum FieldText {
    /// `Long.parseLong` (and Swift's `Int64(_:)`): optional sign, at least one ASCII digit, no overflow.
    @inline(__always)
    static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    @inline(__always)
    static func int32(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        int64(bytes).flatMap { Int32(exactly: $0) }
    }

    /// Java `Boolean.parseBoolean`: only a case-insensitive "true" is true (C++ sends "0"/"1").
    @inline(__always)
    static func bool(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == 4 && bytes[0] | 0x20 == UInt8(ascii: "t") && bytes[1] | 0x20 == UInt8(ascii: "r")
            && bytes[2] | 0x20 == UInt8(ascii: "u") && bytes[3] | 0x20 == UInt8(ascii: "e")
    }

    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
}

// MARK: One-allocation layout (every typed header's fields)

extension ExtFields {
    /// Fields written straight into one allocation: `write` runs once to measure (a number counts its widest
    /// text), then once to write. Appending field by field cost more than the bytes themselves for a header built
    /// on every send.
    public init(layout write: (inout Layout) -> Void) {
        var measure = Layout(writer: nil, capacity: 0)
        write(&measure)
        let capacity = measure.size
        bytes = [UInt8](unsafeUninitializedCapacity: Swift.max(capacity, 1)) { buffer, count in
            var layout = Layout(writer: RawWriter(UnsafeMutableRawBufferPointer(buffer)), capacity: capacity)
            write(&layout)
            count = layout.size
        }
    }

    /// Where a header writes its fields (``CommandCustomHeader/encode(into:)``): measures entries in the
    /// ExtFields layout (no writer), or appends them to the memory ``init(layout:)`` reserved.
    public struct Layout {
        fileprivate var writer: RawWriter?
        fileprivate let capacity: Int
        /// Bytes written, or measured: a number as its widest text (20 bytes).
        fileprivate private(set) var size = 0

        public mutating func append(_ name: StaticString, _ value: String) {
            guard writer != nil else { return measure(name, value.utf8.count) }
            var value = value
            value.withUTF8 { entry(name, UnsafeRawBufferPointer($0)) }
        }

        public mutating func append(_ name: StaticString, _ value: StaticString) {
            guard writer != nil else { return measure(name, value.utf8CodeUnitCount) }
            entry(name, UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        }

        public mutating func append(_ name: StaticString, _ value: Int64) {
            guard writer != nil else { return measure(name, 20) }
            RawWriter.withDecimal(value) { entry(name, $0) }
        }

        public mutating func append(_ name: StaticString, _ value: Int32) {
            append(name, Int64(value))
        }

        /// Java's `String.valueOf(boolean)`.
        public mutating func append(_ name: StaticString, _ value: Bool) {
            append(name, value ? "true" as StaticString : "false")
        }

        private mutating func measure(_ name: StaticString, _ valueCount: Int) {
            size += 6 + name.utf8CodeUnitCount + valueCount
        }

        private mutating func entry(_ name: StaticString, _ value: UnsafeRawBufferPointer) {
            precondition(size + 6 + name.utf8CodeUnitCount + value.count <= capacity, "ExtFields layout over its measure")
            writer!.int16(Int16(name.utf8CodeUnitCount))
            writer!.staticBytes(name)
            writer!.int32(Int32(truncatingIfNeeded: value.count))
            writer!.bytes(value)
            size = writer!.offset
        }
    }
}
