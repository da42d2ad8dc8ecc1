import RocketMQModel
import Testing

@Suite struct TagsCodeTests {
    @Test func javaStringHashCode() {
        // Expected values are Java's String.hashCode (computed over UTF-16 units).
        #expect(JavaHash.hashCode("TagA") == 2_598_919)
        #expect(JavaHash.hashCode("TagB") == 2_598_920)
        #expect(JavaHash.hashCode("") == 0)
        #expect(JavaHash.hashCode("标签") == 857_175)
        #expect(JavaHash.hashCode("Ünïcödé") == 1_055_431_381)
        // Outside the BMP: two surrogate units.
        #expect(JavaHash.hashCode("😀") == 1_772_899)
        #expect(JavaHash.hashCode("a😀b") == 57_849_694)
        #expect(JavaHash.hashCode("TagBatch") == -726_516_768)
        #expect(JavaHash.hashCode("polygenelubricants") == Int32.min)
        #expect(JavaHash.hashCode("hello world, this is long") == 2_047_144_808)
    }

    @Test func tagsCodeSignExtends() {
        #expect(TagsCode.tagsCode(tags: "TagA") == 2_598_919)
        #expect(TagsCode.tagsCode(tags: "TagB") == 2_598_920)
        #expect(TagsCode.tagsCode(tags: nil) == 0)
        #expect(TagsCode.tagsCode(tags: "") == 0)
        #expect(TagsCode.tagsCode(tags: "TagBatch") == -726_516_768)
        #expect(UInt64(bitPattern: TagsCode.tagsCode(tags: "TagBatch")) >> 32 == 0xFFFF_FFFF)
    }

    @Test func indexKeyHash() {
        #expect(TagsCode.indexKeyHash("StoreFixtureTopic#key-0") == 2_104_936_646)
        #expect(TagsCode.indexKeyHash("TagBatch") == 726_516_768)
        // abs(Integer.MIN_VALUE) overflows; Java maps it to 0.
        #expect(TagsCode.indexKeyHash("polygenelubricants") == 0)
        #expect(TagsCode.indexKey(topic: "T", key: "k") == "T#k")
    }

    @Test(arguments: [("StoreFixtureTopic", "key-0"), ("主题", "键😀"), ("T", ""), ("", "k"), ("Ünï", "abc")])
    func indexKeyHashOfPartsIsTheHashOfTheKey(_ topic: String, _ key: String) {
        #expect(TagsCode.indexKeyHash(topic: topic, key: key) == TagsCode.indexKeyHash(TagsCode.indexKey(topic: topic, key: key)))
        #expect(TagsCode.indexKeyHash(topic: topic, key: key[...]) == TagsCode.indexKeyHash(TagsCode.indexKey(topic: topic, key: key)))
    }
}
