/// Values by name in first-insertion order: the broker's config files list entries in a stable
/// order (Java's are hash-ordered; any order reads back the same).
struct NamedTable<Value: Sendable & Equatable>: Sendable, Equatable {
    private(set) var names: [String] = []
    private var values: [String: Value] = [:]

    subscript(name: String) -> Value? { values[name] }

    var all: [Value] { names.compactMap { values[$0] } }

    mutating func put(_ value: Value, name: String) {
        if values.updateValue(value, forKey: name) == nil { names.append(name) }
    }

    mutating func remove(_ name: String) -> Value? {
        guard let removed = values.removeValue(forKey: name) else { return nil }
        names.removeAll { $0 == name }
        return removed
    }
}
