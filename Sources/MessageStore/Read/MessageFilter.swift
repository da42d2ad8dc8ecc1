/// Decides which messages a read returns (Java `MessageFilter`): first by the consume-queue tag field, then, for
/// filters that need it, by the stored entry.
public protocol MessageFilter: Sendable {
    /// Java `isMatchedByConsumeQueue`; `tagsCode` is the unit's tag field.
    func isMatchedByConsumeQueue(tagsCode: Int64) -> Bool
    /// Java `isMatchedByCommitLog`, given the whole stored entry.
    func isMatchedByCommitLog(_ entry: UnsafeRawBufferPointer) -> Bool
}

extension MessageFilter {
    public func isMatchedByCommitLog(_ entry: UnsafeRawBufferPointer) -> Bool { true }
}

/// Tag filtering as Java's `ExpressionMessageFilter` does it for TAG subscriptions (§4.9): match all, or match
/// when the set holds the tag field's low 32 bits (Java compares `(int) tagsCode` with the hash codes).
public struct TagsCodeFilter: MessageFilter, Hashable {
    /// Hash codes of the subscribed tags; nil subscribes to everything (`*`).
    public var codes: Set<Int32>?

    public init(codes: Set<Int32>?) {
        self.codes = codes
    }

    /// Every message (`*`).
    public static let all = TagsCodeFilter(codes: nil)

    public func isMatchedByConsumeQueue(tagsCode: Int64) -> Bool {
        guard let codes = self.codes else { return true }
        return codes.contains(Int32(truncatingIfNeeded: tagsCode))
    }
}
