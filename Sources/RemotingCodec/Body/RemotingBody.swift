import NIOCore

/// A JSON body in fastjson's dialect (Java `RemotingSerializable`): decoded leniently, written with
/// keys in Java's order and nulls omitted.
public protocol RemotingBody: Sendable {
    init(json: JSONValue) throws(BodyError)
    var json: JSONValue { get }
}

/// A body that is absent, not JSON, or lacks what the command needs.
public struct BodyError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension RemotingBody {
    public init(body: ByteBuffer?) throws(BodyError) {
        guard let body, body.readableBytes > 0 else { throw BodyError("the request body is null") }
        let result: Result<JSONValue, JSONError> = body.withUnsafeReadableBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try JSONValue.parse(raw) }
        }
        switch result {
        case .success(let json):
            // Every body is a Java bean: fastjson refuses to bind anything but an object.
            guard case .object = json else { throw BodyError("the body is not a JSON object") }
            try self.init(json: json)
        case .failure(let error): throw BodyError("the body is not JSON: \(error)")
        }
    }

    /// The body as Java writes it; `browserCompatible` quotes every map key (§3.2.3).
    public func encoded(browserCompatible: Bool = false) -> ByteBuffer {
        JSONWriter(browserCompatible: browserCompatible).encode(json)
    }
}

/// Helpers for reading bean fields leniently.
extension JSONValue {
    public func required(_ key: String, in type: String) throws(BodyError) -> JSONValue {
        guard let value = self[key], value != .null else { throw BodyError("\(type): missing \(key)") }
        return value
    }

    public func requiredString(_ key: String, in type: String) throws(BodyError) -> String {
        guard let text = try required(key, in: type).stringValue else { throw BodyError("\(type): \(key) is not a string") }
        return text
    }

    public func requiredInt64(_ key: String, in type: String) throws(BodyError) -> Int64 {
        guard let value = try required(key, in: type).int64Value else { throw BodyError("\(type): \(key) is not a number") }
        return value
    }

    public func requiredInt32(_ key: String, in type: String) throws(BodyError) -> Int32 {
        guard let value = try required(key, in: type).int32Value else { throw BodyError("\(type): \(key) is not an int") }
        return value
    }

    /// The elements of an array (fastjson also binds a missing collection as empty).
    public func elements(_ key: String) -> [JSONValue] {
        self[key]?.arrayValue ?? []
    }

    /// The members of an object-valued field.
    public func members(_ key: String) -> [JSONObject.Member] {
        self[key]?.objectValue?.members ?? []
    }
}
