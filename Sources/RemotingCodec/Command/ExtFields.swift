/// The custom-header fields of a command (Java `RemotingCommand.extFields`, a `HashMap<String,String>`),
/// kept as flat pairs in arrival order: headers have a handful of fields, so a linear scan beats hashing.
public struct ExtFields: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String {
            didSet { key = Self.key(of: name) }
        }
        public var value: String
        /// Length and first seven bytes of the name: rejects almost every non-matching name in a
        /// scan without a `String` comparison (`==` is slow on a miss: it checks canonical equivalence).
        @usableFromInline var key: UInt64

        public init(name: String, value: String) {
            self.name = name
            self.value = value
            self.key = Self.key(of: name)
        }

        @inlinable
        static func key(of name: String) -> UInt64 {
            var name = name
            return name.withUTF8 { bytes in
                var key = UInt64(truncatingIfNeeded: bytes.count) << 56
                for index in 0..<Swift.min(7, bytes.count) { key |= UInt64(bytes[index]) << (8 * UInt64(index)) }
                return key
            }
        }

        public static func == (lhs: Field, rhs: Field) -> Bool { lhs.name == rhs.name && lhs.value == rhs.value }
    }

    @usableFromInline var fields: [Field]

    public init() { fields = [] }
    public init(minimumCapacity: Int) {
        fields = []
        fields.reserveCapacity(minimumCapacity)
    }
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Value of `name`; a later duplicate wins, as with a Java HashMap put.
    @inlinable
    public subscript(name: String) -> String? {
        get {
            let key = Field.key(of: name)
            var i = fields.count
            while i > 0 {
                i -= 1
                if fields[i].key == key && fields[i].name == name { return fields[i].value }
            }
            return nil
        }
        set {
            if let index = fields.lastIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name: name, value: newValue))
            }
        }
    }

    /// Appends without looking for an existing field: for encoders that write each name once.
    @inlinable
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Appends `value` when it is non-nil (Java omits null header fields).
    @inlinable
    public mutating func append(_ name: String, _ value: (some CustomStringConvertible)?) {
        if let value { fields.append(Field(name: name, value: value.description)) }
    }

    /// Equality as maps (a repeated name counts with its last value): order ignored.
    public static func == (lhs: ExtFields, rhs: ExtFields) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.fields.allSatisfy { rhs[$0.name] == lhs[$0.name] }
    }
}
