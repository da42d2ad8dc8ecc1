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

    /// The dispatcher's hashes over stored bytes equal the `String` ones, non-ASCII and invalid UTF-8 included.
    @Test func byteHashesEqualStringHashes() {
        let texts: [[UInt8]] = [
            [], Array("TagA".utf8), Array("C0A8000100002A9F0000000000000001".utf8), Array("标签".utf8),
            Array("Ünïcödé".utf8), [0x61, 0xC3, 0x62], [0xFF, 0xFE],
        ]
        for bytes in texts {
            let text = String(decoding: bytes, as: UTF8.self)
            bytes.withUnsafeBytes { raw in
                #expect(JavaHash.hashCode(utf8: raw, seed: 7) == JavaHash.hashCode(text, seed: 7), "\(bytes)")
                #expect(TagsCode.tagsCode(utf8: raw) == TagsCode.tagsCode(tags: text))
                #expect(TagsCode.indexKeyHash(topic: "T", utf8: raw) == TagsCode.indexKeyHash(topic: "T", key: text))
            }
        }
    }
}

