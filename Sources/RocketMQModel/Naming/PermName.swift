/// Topic and broker permissions (Java `PermName`, PROTOCOL.md §4.4): a normal topic is 6 (read + write),
/// `TBW102` is 7 (also inherit: a template for auto-created topics).
public struct PermName: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// PERM_PRIORITY (unused by 4.9.8).
    public static let priority = PermName(rawValue: 0x8)
    /// PERM_READ: consumers may route to and pull from it.
    public static let read = PermName(rawValue: 0x4)
    /// PERM_WRITE: producers may send to it.
    public static let write = PermName(rawValue: 0x2)
    /// PERM_INHERIT: may serve as the template for auto-creation.
    public static let inherit = PermName(rawValue: 0x1)

    /// Read and write: 6.
    public static let readWrite: PermName = [.read, .write]

    public var isReadable: Bool { self.contains(.read) }
    public var isWriteable: Bool { self.contains(.write) }
    public var isInherited: Bool { self.contains(.inherit) }

    public static func isReadable(_ perm: Int32) -> Bool { PermName(rawValue: perm).isReadable }
    public static func isWriteable(_ perm: Int32) -> Bool { PermName(rawValue: perm).isWriteable }
    public static func isInherited(_ perm: Int32) -> Bool { PermName(rawValue: perm).isInherited }

    /// Java `perm2String`: `R`, `W`, `X` (inherit) or `-` in that order, e.g. `"RW-"` for 6.
    public var description: String {
        (self.isReadable ? "R" : "-") + (self.isWriteable ? "W" : "-") + (self.isInherited ? "X" : "-")
    }
}
