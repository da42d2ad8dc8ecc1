import NIOCore

/// A message's properties (Java `Message.properties`), kept in insertion order, with the RocketMQ string form
/// (`MessageDecoder.string2messageProperties` / `messageProperties2String`, PROTOCOL.md §4.2):
/// `name 0x01 value` pairs separated by `0x02`.
///
/// Reading follows Java 4.9.8: split on 0x02, skip empty pieces, split each piece at its first 0x01, and skip
/// pieces with no 0x01, an empty name or an empty value. A name seen twice keeps its first position and takes
/// the last value (a batch entry's stored string can hold `WAIT` twice, §3.3.3). Equality is order-sensitive.
public struct MessageProperties: Sendable, Hashable {
    public static func == (lhs: MessageProperties, rhs: MessageProperties) -> Bool { lhs.pairs == rhs.pairs }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.pairs) }

    /// One name/value pair.
    public struct Property: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Separates a name from its value.
    public static let nameValueSeparator: UInt8 = 0x01
    /// Separates pairs.
    public static let propertySeparator: UInt8 = 0x02

    /// Parsed pairs, or the stored string's bytes until something needs more than a look-up: a
    /// consumer reads hundreds of thousands of messages a second and looks at few of their properties.
    private enum Storage: Sendable {
        case parsed([Property])
        case raw(ByteBuffer)
    }
    private var storage: Storage

    /// The pairs in order (parsed now when kept raw).
    private var pairs: [Property] {
        switch self.storage {
        case .parsed(let pairs): return pairs
        case .raw(let buffer): return buffer.withUnsafeReadableBytes { Self.parse($0) }
        }
    }

    /// No properties.
    public init() {
        self.storage = .parsed([])
    }

    /// Properties from pairs in order; a repeated name keeps its first position and its last value.
    public init(_ pairs: some Sequence<(String, String)>) {
        self.storage = .parsed([])
        for (name, value) in pairs {
            self[name] = value
        }
    }

    /// Parses a properties string.
    public init(decoding string: String) {
        var string = string
        self.storage = .parsed(string.withUTF8 { Self.parse(UnsafeRawBufferPointer($0)) })
    }

    /// Parses properties string bytes (UTF-8; invalid sequences are repaired, as `String(decoding:)` does).
    public init(decoding bytes: some Collection<UInt8>) {
        let pairs = bytes.withContiguousStorageIfAvailable { Self.parse(UnsafeRawBufferPointer($0)) }
        self.storage = .parsed(pairs ?? Array(bytes).withUnsafeBytes { Self.parse($0) })
    }

    /// Parses the readable bytes of `buffer`.
    public init(decoding buffer: ByteBuffer) {
        self.storage = .parsed(buffer.withUnsafeReadableBytes { Self.parse($0) })
    }

    /// The properties string in `buffer`, parsed only when needed: a look-up by name scans the bytes,
    /// anything else parses them as ``init(decoding:)-(ByteBuffer)`` does.
    public init(stored buffer: ByteBuffer) {
        self.storage = .raw(buffer)
    }

    /// Calls `visit(name, value)` with the byte ranges of every well-formed piece, as Java 4.9.8 reads
    /// them: split on 0x02, empty pieces skipped, each split at its first 0x01, pieces with no 0x01, an
    /// empty name or an empty value skipped.
    public static func forEachPair(_ bytes: UnsafeRawBufferPointer, _ visit: (Range<Int>, Range<Int>) -> Void) {
        var pieceStart = 0
        var separator = -1
        var index = 0
        let count = bytes.count
        while index <= count {
            let atEnd = index == count
            let byte = atEnd ? Self.propertySeparator : bytes[index]
            if byte == Self.propertySeparator {
                if separator > pieceStart, index > separator + 1 {
                    visit(pieceStart..<separator, (separator + 1)..<index)
                }
                pieceStart = index + 1
                separator = -1
            } else if byte == Self.nameValueSeparator, separator < 0 {
                separator = index
            }
            index += 1
        }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> [Property] {
        var result = MessageProperties()
        forEachPair(bytes) { name, value in
            result[String(decoding: UnsafeRawBufferPointer(rebasing: bytes[name]), as: UTF8.self)] =
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
        }
        return result.pairs
    }

    /// The value of the last well-formed pair named `name` in stored bytes (a repeated name takes its
    /// last value).
    private static func lookup(_ name: String, in bytes: UnsafeRawBufferPointer) -> String? {
        var name = name
        return name.withUTF8 { wanted -> String? in
            var found: Range<Int>?
            forEachPair(bytes) { pairName, value in
                if pairName.count == wanted.count,
                   UnsafeRawBufferPointer(rebasing: bytes[pairName]).elementsEqual(UnsafeRawBufferPointer(wanted)) {
                    found = value
                }
            }
            return found.map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }

    /// The value of `name`; assigning nil removes it. Assigning to a new name appends it.
    public subscript(name: String) -> String? {
        get {
            switch self.storage {
            case .parsed(let pairs):
                return pairs.first(where: { $0.name == name })?.value
            case .raw(let buffer):
                // Invalid UTF-8 in a stored name reads as U+FFFD: only a full parse compares those as Java does.
                if name.unicodeScalars.contains("\u{FFFD}") { return self.pairs.first(where: { $0.name == name })?.value }
                return buffer.withUnsafeReadableBytes { Self.lookup(name, in: $0) }
            }
        }
        set {
            var pairs = self.pairs
            self.storage = .parsed([])
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    pairs[index].value = newValue
                } else {
                    pairs.remove(at: index)
                }
            } else if let newValue {
                pairs.append(Property(name: name, value: newValue))
            }
            self.storage = .parsed(pairs)
        }
    }

    /// Number of properties.
    public var count: Int { self.pairs.count }

    /// Whether there are no properties.
    public var isEmpty: Bool { self.pairs.isEmpty }

    /// Names in order.
    public var names: [String] { self.pairs.map(\.name) }

    /// Java's string form: `name 0x01 value` joined by 0x02, no trailing 0x02. Pairs with an empty name or
    /// value are written too (Java writes every non-null entry), although a reader drops them.
    public var encoded: String {
        // Written once into a string of the exact size: a producer makes one per send.
        let pairs = self.pairs
        return String(unsafeUninitializedCapacity: Self.encodedByteCount(pairs)) { buffer in
            var position = 0
            func append(_ string: String) {
                var string = string
                string.withUTF8 { bytes in
                    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
                    (buffer.baseAddress! + position).update(from: source, count: bytes.count)
                    position += bytes.count
                }
            }
            for (offset, property) in pairs.enumerated() {
                if offset > 0 {
                    buffer[position] = Self.propertySeparator
                    position += 1
                }
                append(property.name)
                buffer[position] = Self.nameValueSeparator
                position += 1
                append(property.value)
            }
            return position
        }
    }

    /// Number of UTF-8 bytes of ``encoded``.
    public var encodedByteCount: Int { Self.encodedByteCount(self.pairs) }

    private static func encodedByteCount(_ pairs: [Property]) -> Int {
        guard !pairs.isEmpty else { return 0 }
        var total = pairs.count * 2 - 1
        for property in pairs {
            total += property.name.utf8.count + property.value.utf8.count
        }
        return total
    }

    /// Writes ``encoded`` as UTF-8 and returns the number of bytes written.
    @discardableResult
    public func write(to buffer: inout ByteBuffer) -> Int {
        var written = 0
        for (offset, property) in self.pairs.enumerated() {
            if offset > 0 {
                written += buffer.writeInteger(Self.propertySeparator)
            }
            written += buffer.writeString(property.name)
            written += buffer.writeInteger(Self.nameValueSeparator)
            written += buffer.writeString(property.value)
        }
        return written
    }

    // MARK: Well-known properties

    /// `TAGS`.
    public var tags: String? {
        get { self[MessageConst.tags] }
        set { self[MessageConst.tags] = newValue }
    }

    /// `KEYS`, the raw space-separated string.
    public var keys: String? {
        get { self[MessageConst.keys] }
        set { self[MessageConst.keys] = newValue }
    }

    /// `UNIQ_KEY`, the client's message id.
    public var uniqueKey: String? {
        get { self[MessageConst.uniqueClientMessageIdKeyIndex] }
        set { self[MessageConst.uniqueClientMessageIdKeyIndex] = newValue }
    }

    /// `KEYS` split on ``MessageConst/keySeparator``, empty tokens dropped (as the index service does).
    public var keysList: [String] {
        guard let keys = self.keys else { return [] }
        return keys.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
}

extension MessageProperties: Sequence {
    public func makeIterator() -> IndexingIterator<[Property]> {
        self.pairs.makeIterator()
    }

    public var underestimatedCount: Int { self.pairs.count }
}

extension MessageProperties: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension MessageProperties: CustomStringConvertible {
    /// Java `HashMap.toString`-like: `{name=value, …}` in insertion order.
    public var description: String {
        "{" + self.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
