import NIOCore

/// Hits of a query by key (Java `QueryMessageResult`): entries back to back, as the QUERY_MESSAGE body.
public struct QueryMessageResult: Sendable {
    public var body: ByteBuffer
    public var messagePhysicalOffsets: [Int64]
    public var messageSizes: [Int32]
    /// End time and offset of the newest index file (response header fields of QUERY_MESSAGE).
    public var indexLastUpdateTimestamp: Int64
    public var indexLastUpdatePhyOffset: Int64

    public init() {
        self.body = ByteBuffer()
        self.messagePhysicalOffsets = []
        self.messageSizes = []
        self.indexLastUpdateTimestamp = 0
        self.indexLastUpdatePhyOffset = 0
    }

    public var messageCount: Int { self.messageSizes.count }

    public var bufferTotalSize: Int { self.body.readableBytes }

    /// Each entry as a slice of ``body``.
    public var messages: [ByteBuffer] {
        var result: [ByteBuffer] = []
        var position = self.body.readerIndex
        for size in self.messageSizes {
            if let slice = self.body.getSlice(at: position, length: Int(size)) { result.append(slice) }
            position += Int(size)
        }
        return result
    }
}
