/// Hash codes RocketMQ derives from tags and keys (PROTOCOL.md §4.9, §4.10).
public enum TagsCode {
    /// `MessageExtBrokerInner.tagsString2tagsCode`: the Java hash of `TAGS`, sign-extended to the 8-byte
    /// consume-queue field; no tag or an empty tag gives 0. `"TagA"` → 2 598 919.
    public static func tagsCode(tags: String?) -> Int64 {
        guard let tags, !tags.isEmpty else { return 0 }
        return Int64(JavaHash.hashCode(tags))
    }

    /// ``tagsCode(tags:)`` of a tag given as UTF-8 bytes.
    public static func tagsCode(utf8 tags: UnsafeRawBufferPointer) -> Int64 {
        tags.isEmpty ? 0 : Int64(JavaHash.hashCode(utf8: tags, seed: 0))
    }

    /// `IndexFile.indexKeyHashMethod`: `abs(hashCode(key))`, with `Int32.min` (whose `abs` overflows) giving 0.
    public static func indexKeyHash(_ key: some StringProtocol) -> Int32 {
        indexHash(JavaHash.hashCode(key))
    }

    /// ``indexKeyHash(_:)`` of ``indexKey(topic:key:)``, without building the key.
    public static func indexKeyHash(topic: String, key: some StringProtocol) -> Int32 {
        indexHash(JavaHash.hashCode(key, seed: topicPrefixHash(topic)))
    }

    /// ``indexKeyHash(topic:key:)`` of a key given as UTF-8 bytes (the dispatcher reads it from the stored entry).
    public static func indexKeyHash(topic: String, utf8 key: UnsafeRawBufferPointer) -> Int32 {
        indexHash(JavaHash.hashCode(utf8: key, seed: topicPrefixHash(topic)))
    }

    /// The hash of `"<topic>#"`, which an index key's hash continues.
    private static func topicPrefixHash(_ topic: String) -> Int32 {
        JavaHash.hashCode("#", seed: JavaHash.hashCode(topic))
    }

    /// `abs`, with `Int32.min` (whose `abs` overflows) giving 0.
    private static func indexHash(_ hash: Int32) -> Int32 {
        hash == .min ? 0 : abs(hash)
    }

    /// The index key of a message key: `"<topic>#<key>"` (`IndexService.buildKey`).
    public static func indexKey(topic: String, key: String) -> String {
        topic + "#" + key
    }
}
