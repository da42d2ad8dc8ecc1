import RocketMQModel
import Testing

@Suite struct MessageSysFlagTests {
    @Test func compressedZlibOfCapture04() {
        let flag = MessageSysFlag(rawValue: 769)
        #expect(flag.contains(.compressed))
        #expect(flag.compressionType == .zlib)
        #expect(flag.compressionType?.isZlib == true)
        #expect(flag.transactionType == .notType)
        #expect(!flag.contains(.bornHostV6))
    }

    @Test func legacyCompressionIsZlib() {
        let flag = MessageSysFlag.compressed
        #expect(flag.compressionType == .legacyZlib)
        #expect(flag.compressionType?.isZlib == true)
        #expect(MessageSysFlag(rawValue: 0x101).compressionType == .lz4)
        #expect(MessageSysFlag(rawValue: 0x201).compressionType == .zstd)
        #expect(MessageSysFlag(rawValue: 0x401).compressionType == nil)
        var set = MessageSysFlag.compressed
        set.compressionType = .zlib
        #expect(set.rawValue == 0x301)
    }

    @Test func transactionType() {
        var flag: MessageSysFlag = [.multiTags, .bornHostV6]
        flag.transactionType = .prepared
        #expect(flag.rawValue == 0x2 | 0x10 | 0x4)
        #expect(flag.transactionType == .prepared)
        let committed = flag.resettingTransactionValue(.commit)
        #expect(committed.rawValue == 0x2 | 0x10 | 0x8)
        #expect(committed.resettingTransactionValue(.rollback).transactionType == .rollback)
        #expect(committed.resettingTransactionValue(.notType).rawValue == 0x12)
        for type in MessageSysFlag.TransactionType.allCases {
            #expect(MessageSysFlag(rawValue: type.rawValue | 0x301).transactionType == type)
        }
    }

    @Test func bitValues() {
        #expect(MessageSysFlag.compressed.rawValue == 0x1)
        #expect(MessageSysFlag.multiTags.rawValue == 0x2)
        #expect(MessageSysFlag.bornHostV6.rawValue == 0x10)
        #expect(MessageSysFlag.storeHostV6.rawValue == 0x20)
        #expect(MessageSysFlag.needUnwrap.rawValue == 0x40)
        #expect(MessageSysFlag.innerBatch.rawValue == 0x80)
    }
}
