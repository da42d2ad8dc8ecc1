/// Java `.properties` text (what `broker-a.properties`, `namesrv.properties` and the config bodies of
/// UPDATE_*_CONFIG use): `key=value`, `key: value` or `key value`, `#`/`!` comments, backslash line
/// continuations and escapes. Later keys win.
public struct JavaProperties: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: String)]

    public init() { entries = [] }

    public init(_ pairs: [(String, String)]) {
        entries = []
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> String? {
        get { entries.last(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public var dictionary: [String: String] { Dictionary(entries, uniquingKeysWith: { _, last in last }) }

    public static func == (lhs: JavaProperties, rhs: JavaProperties) -> Bool { lhs.dictionary == rhs.dictionary }

    /// Parses properties text as `java.util.Properties.load` does (UTF-8 input).
    public init(parsing text: String) {
        self.init()
        for line in Self.logicalLines(text) {
            var scalars = Substring(line).unicodeScalars.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            guard let first = scalars.first, first != "#", first != "!" else { continue }
            var key = ""
            var escaped = false
            var separatorFound = false
            while let scalar = scalars.first {
                scalars.removeFirst()
                if escaped {
                    key.unicodeScalars.append(Self.unescape(scalar, rest: &scalars))
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else if scalar == "=" || scalar == ":" {
                    separatorFound = true
                    break
                } else if scalar == " " || scalar == "\t" || scalar == "\u{0C}" {
                    break
                } else {
                    key.unicodeScalars.append(scalar)
                }
            }
            scalars = scalars.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            if !separatorFound, let next = scalars.first, next == "=" || next == ":" {
                scalars.removeFirst()
                scalars = scalars.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            }
            var value = ""
            escaped = false
            while let scalar = scalars.first {
                scalars.removeFirst()
                if escaped {
                    value.unicodeScalars.append(Self.unescape(scalar, rest: &scalars))
                    escaped = false
                } else if scalar == "\\" {
                    escaped = true
                } else {
                    value.unicodeScalars.append(scalar)
                }
            }
            self[key] = value
        }
    }

    /// Java `MixAll.properties2String`: raw `key=value` lines, as config bodies carry them.
    public var text: String {
        entries.map { "\($0.key)=\($0.value)\n" }.joined()
    }

    /// Joins backslash-continued lines (an odd number of trailing backslashes continues the line).
    private static func logicalLines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var continuing = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var line = Substring(rawLine)
            if continuing { line = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" } }
            let trailing = line.reversed().prefix { $0 == "\\" }.count
            if trailing % 2 == 1 {
                current += line.dropLast()
                continuing = true
            } else {
                current += line
                result.append(current)
                current = ""
                continuing = false
            }
        }
        if continuing { result.append(current) }
        return result
    }

    private static func unescape(_ scalar: Unicode.Scalar, rest: inout Substring.UnicodeScalarView.SubSequence) -> Unicode.Scalar {
        switch scalar {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "u":
            let hex = String(String.UnicodeScalarView(rest.prefix(4)))
            if hex.count == 4, let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) {
                rest.removeFirst(4)
                return decoded
            }
            return scalar
        default: return scalar
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace (Java's `String.trim` for config values and tags).
    public func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
