#if canImport(Glibc)
import Glibc
#endif

/// The sender's implementation language (Java `LanguageCode`): a name in JSON headers, a byte
/// in ROCKETMQ headers.
public enum LanguageCode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case java = 0
    case cpp = 1
    case dotnet = 2
    case python = 3
    case delphi = 4
    case erlang = 5
    case ruby = 6
    case other = 7
    case http = 8
    case go = 9
    case php = 10
    case oms = 11
    case rust = 12
    case nodeJS = 13

    public var name: String {
        switch self {
        case .java: "JAVA"
        case .cpp: "CPP"
        case .dotnet: "DOTNET"
        case .python: "PYTHON"
        case .delphi: "DELPHI"
        case .erlang: "ERLANG"
        case .ruby: "RUBY"
        case .other: "OTHER"
        case .http: "HTTP"
        case .go: "GO"
        case .php: "PHP"
        case .oms: "OMS"
        case .rust: "RUST"
        case .nodeJS: "NODE_JS"
        }
    }

    public var description: String { name }

    /// Java's `LanguageCode.valueOf(name)`; nil for a name 4.9.8 does not know.
    public init?(name: some StringProtocol) {
        guard let code = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = code
    }

    /// The same for a name's UTF-8 bytes (a header reader's, without a `String`).
    init?(utf8 name: UnsafeRawBufferPointer) {
        guard let code = Self.allCases.first(where: { code in
            var known = code.name
            return known.withUTF8 { $0.count == name.count && ($0.isEmpty || memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0) }
        }) else { return nil }
        self = code
    }
}
