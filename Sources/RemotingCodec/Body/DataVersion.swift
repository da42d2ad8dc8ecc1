/// Java `DataVersion`: a timestamp and a counter that changes whenever a broker's topic table does.
public struct DataVersion: RemotingBody, Hashable {
    public var timestamp: Int64
    public var counter: Int64

    public init(timestamp: Int64, counter: Int64) {
        self.timestamp = timestamp
        self.counter = counter
    }

    public init(json: JSONValue) throws(BodyError) {
        timestamp = json["timestamp"]?.int64Value ?? 0
        counter = json["counter"]?.int64Value ?? 0
    }

    public var json: JSONValue {
        .object(["counter": .number(counter), "timestamp": .number(timestamp)])
    }

    /// Java `nextVersion`: a new timestamp and the counter plus one.
    public mutating func next(now: Int64) {
        timestamp = now
        counter += 1
    }
}
