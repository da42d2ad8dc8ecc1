/// One `.properties` key of a config struct (Java's `MixAll.properties2Object` sets fields by name):
/// how to read it from text and print it back. Config types list theirs once; loading, `-p` printing
/// and UPDATE_*_CONFIG all go through the list.
public struct ConfigKey<Root>: Sendable {
    public let name: String
    public let get: @Sendable (Root) -> String
    /// Returns false when the text is not a valid value (the field is left unchanged).
    public let set: @Sendable (inout Root, String) -> Bool

    public init(_ name: String, get: @escaping @Sendable (Root) -> String, set: @escaping @Sendable (inout Root, String) -> Bool) {
        self.name = name
        self.get = get
        self.set = set
    }

    public static func string(_ name: String, _ path: any WritableKeyPath<Root, String> & Sendable) -> ConfigKey {
        ConfigKey(name, get: { $0[keyPath: path] }, set: { root, text in
            root[keyPath: path] = text
            return true
        })
    }

    public static func int(_ name: String, _ path: any WritableKeyPath<Root, Int> & Sendable) -> ConfigKey {
        ConfigKey(name, get: { String($0[keyPath: path]) }, set: { root, text in
            guard let value = Int(text) else { return false }
            root[keyPath: path] = value
            return true
        })
    }

    public static func int64(_ name: String, _ path: any WritableKeyPath<Root, Int64> & Sendable) -> ConfigKey {
        ConfigKey(name, get: { String($0[keyPath: path]) }, set: { root, text in
            guard let value = Int64(text) else { return false }
            root[keyPath: path] = value
            return true
        })
    }

    /// Java's `Boolean.parseBoolean` accepts anything; a typo silently means false. We refuse
    /// anything but true/false so that an operator hears about it.
    public static func bool(_ name: String, _ path: any WritableKeyPath<Root, Bool> & Sendable) -> ConfigKey {
        ConfigKey(name, get: { String($0[keyPath: path]) }, set: { root, text in
            switch text.lowercased() {
            case "true": root[keyPath: path] = true
            case "false": root[keyPath: path] = false
            default: return false
            }
            return true
        })
    }

    public static func enumeration<E: RawRepresentable & Sendable>(_ name: String, _ path: any WritableKeyPath<Root, E> & Sendable) -> ConfigKey
    where E.RawValue == String {
        ConfigKey(name, get: { $0[keyPath: path].rawValue }, set: { root, text in
            guard let value = E(rawValue: text) else { return false }
            root[keyPath: path] = value
            return true
        })
    }
}

/// The result of applying properties to a config: keys it does not know and keys with bad values.
public struct ConfigApplication: Sendable, Equatable {
    public var unknownKeys: [String] = []
    public var invalidKeys: [String] = []
    public init(unknownKeys: [String] = [], invalidKeys: [String] = []) {
        self.unknownKeys = unknownKeys
        self.invalidKeys = invalidKeys
    }
}

extension Array {
    /// Applies `properties` (values trimmed, as Java does) to `root`.
    public func apply<Root>(_ properties: JavaProperties, to root: inout Root) -> ConfigApplication where Element == ConfigKey<Root> {
        var result = ConfigApplication()
        for (key, value) in properties.entries {
            guard let configKey = first(where: { $0.name == key }) else {
                result.unknownKeys.append(key)
                continue
            }
            let trimmed = value.trimmingWhitespace()
            if !configKey.set(&root, trimmed) { result.invalidKeys.append(key) }
        }
        return result
    }

    /// Every key with its current value, in declaration order (`-p`, GET_*_CONFIG).
    public func properties<Root>(of root: Root) -> JavaProperties where Element == ConfigKey<Root> {
        JavaProperties(map { ($0.name, $0.get(root)) })
    }
}
