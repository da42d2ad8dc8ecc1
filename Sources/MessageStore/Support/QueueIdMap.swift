/// One topic's per-queue values by queue id: an array for the ids a topic's queues have (0 up to
/// `denseLimit`), a dictionary for any other id. Appends and dispatch visit a topic's queues in turn, and
/// the 1,024 queues of `BenchmarkTest` as dictionary buckets cost a cache miss each; in an array eight
/// neighbours share a line.
struct QueueIdMap<Value> {
    /// Ids at and above this (and negative ones) go to the dictionary.
    static var denseLimit: Int32 { 4096 }

    private var dense: ContiguousArray<Value?> = []
    private var sparse: [Int32: Value] = [:]

    init() {}

    var isEmpty: Bool { self.sparse.isEmpty && !self.dense.contains { $0 != nil } }

    subscript(queueId: Int32) -> Value? {
        get {
            guard queueId >= 0 && queueId < Self.denseLimit else { return self.sparse[queueId] }
            return Int(queueId) < self.dense.count ? self.dense[Int(queueId)] : nil
        }
        set {
            guard queueId >= 0 && queueId < Self.denseLimit else {
                self.sparse[queueId] = newValue
                return
            }
            let index = Int(queueId)
            if index >= self.dense.count {
                guard newValue != nil else { return }
                self.dense.append(contentsOf: repeatElement(nil, count: index + 1 - self.dense.count))
            }
            self.dense[index] = newValue
        }
    }

    subscript(queueId: Int32, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[queueId] ?? defaultValue() }
        set { self[queueId] = newValue }
    }

    /// Every value with its queue id, dense ids in order first.
    var entries: [(queueId: Int32, value: Value)] {
        var entries: [(queueId: Int32, value: Value)] = []
        for (index, value) in self.dense.enumerated() {
            if let value { entries.append((Int32(index), value)) }
        }
        for (queueId, value) in self.sparse { entries.append((queueId, value)) }
        return entries
    }
}

extension QueueIdMap: Sendable where Value: Sendable {}
