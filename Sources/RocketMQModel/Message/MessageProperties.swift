import NIOCore

/// A message's properties (Java `Message.properties`), kept in insertion order, with the RocketMQ string form
/// (`MessageDecoder.string2messageProperties` / `messageProperties2String`, PROTOCOL.md §4.2):
/// `name 0x01 value` pairs separated by `0x02`.
///
/// Reading follows Java 4.9.8: split on 0x02, skip empty pieces, split each piece at its first 0x01, and skip
/// pieces with no 0x01, an empty name or an empty value. A name seen twice keeps its first position and takes
/// the last value (a batch entry's stored string can hold `WAIT` twice, §3.3.3). Equality is order-sensitive.
public struct MessageProperties: Sendable, Hashable {
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

    private var storage: [Property]

    /// No properties.
    public init() {
        self.storage = []
    }

    /// Properties from pairs in order; a repeated name keeps its first position and its last value.
    public init(_ pairs: some Sequence<(String, String)>) {
        self.storage = []
        for (name, value) in pairs {
            self[name] = value
        }
    }

    /// Parses a properties string.
    public init(decoding string: String) {
        var string = string
        self = string.withUTF8 { Self.parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses properties string bytes (UTF-8; invalid sequences are repaired, as `String(decoding:)` does).
    public init(decoding bytes: some Collection<UInt8>) {
        if let parsed = bytes.withContiguousStorageIfAvailable({ Self.parse(UnsafeRawBufferPointer($0)) }) {
            self = parsed
        } else {
            self = Array(bytes).withUnsafeBytes { Self.parse($0) }
        }
    }

    /// Parses the readable bytes of `buffer`.
    public init(decoding buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytes { Self.parse($0) }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> MessageProperties {
        var result = MessageProperties()
        var pieceStart = 0
        var separator = -1
        var index = 0
        let count = bytes.count
        while index <= count {
            let atEnd = index == count
            let byte = atEnd ? Self.propertySeparator : bytes[index]
            if byte == Self.propertySeparator {
                if separator > pieceStart, index > separator + 1 {
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pieceStart..<separator]), as: UTF8.self)
                    let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(separator + 1)..<index]), as: UTF8.self)
                    result[name] = value
                }
                pieceStart = index + 1
                separator = -1
            } else if byte == Self.nameValueSeparator, separator < 0 {
                separator = index
            }
            index += 1
        }
        return result
    }

    /// The value of `name`; assigning nil removes it. Assigning to a new name appends it.
    public subscript(name: String) -> String? {
        get {
            self.storage.first(where: { $0.name == name })?.value
        }
        set {
            if let index = self.storage.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    self.storage[index].value = newValue
                } else {
                    self.storage.remove(at: index)
                }
            } else if let newValue {
                self.storage.append(Property(name: name, value: newValue))
            }
        }
    }

    /// Number of properties.
    public var count: Int { self.storage.count }

    /// Whether there are no properties.
    public var isEmpty: Bool { self.storage.isEmpty }

    /// Names in order.
    public var names: [String] { self.storage.map(\.name) }

    /// Java's string form: `name 0x01 value` joined by 0x02, no trailing 0x02. Pairs with an empty name or
    /// value are written too (Java writes every non-null entry), although a reader drops them.
    public var encoded: String {
        // Written once into a string of the exact size: a producer makes one per send.
        String(unsafeUninitializedCapacity: self.encodedByteCount) { buffer in
            var position = 0
            func append(_ string: String) {
                var string = string
                string.withUTF8 { bytes in
                    guard let source = bytes.baseAddress, bytes.count > 0 else { return }
                    (buffer.baseAddress! + position).update(from: source, count: bytes.count)
                    position += bytes.count
                }
            }
            for (offset, property) in self.storage.enumerated() {
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
    public var encodedByteCount: Int {
        guard !self.storage.isEmpty else { return 0 }
        var total = self.storage.count * 2 - 1
        for property in self.storage {
            total += property.name.utf8.count + property.value.utf8.count
        }
        return total
    }

    /// Writes ``encoded`` as UTF-8 and returns the number of bytes written.
    @discardableResult
    public func write(to buffer: inout ByteBuffer) -> Int {
        var written = 0
        for (offset, property) in self.storage.enumerated() {
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
        self.storage.makeIterator()
    }

    public var underestimatedCount: Int { self.storage.count }
}

extension MessageProperties: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension MessageProperties: CustomStringConvertible {
    /// Java `HashMap.toString`-like: `{name=value, …}` in insertion order.
    public var description: String {
        "{" + self.storage.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
