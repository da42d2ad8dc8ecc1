import Logging
import MessageStore
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// END_TRANSACTION (Java `EndTransactionProcessor`): a producer commits or rolls back its half message,
/// on its own or answering CHECK_TRANSACTION_STATE. An UNKNOWN answer changes nothing (the check asks again).
public struct EndTransactionProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [.endTransaction]

    private let transactions: TransactionalMessageService
    private let store: LocalFileMessageStore
    private let storeConfig: MessageStoreConfig
    private let logger: Logger

    public init(transactions: TransactionalMessageService, store: LocalFileMessageStore, storeConfig: MessageStoreConfig, logger: Logger) {
        self.transactions = transactions
        self.store = store
        self.storeConfig = storeConfig
        self.logger = logger
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        let header = try request.decodeHeader(EndTransactionRequestHeader.self)
        guard store.brokerRole != .slave else {
            logger.warning("END_TRANSACTION on a slave refused", metadata: ["remote": "\(context.connection.remoteAddressText)"])
            return .response(request.makeResponse(code: .slaveNotAvailable))
        }
        let type = MessageSysFlag.TransactionType(rawValue: header.commitOrRollback)
        guard type == .commit || type == .rollback else {
            // UNKNOWN (or a value Java does not know): no answer, the half message stays for the check.
            if type == .notType {
                logger.debug("the producer does not know the transaction's state yet", metadata: ["msgId": "\(header.msgId)"])
            }
            return .none
        }
        let half: StoredMessage
        switch transactions.preparedMessage(for: header) {
        case .failure(let error): return .response(request.makeResponse(code: .systemError, remark: error.remark))
        case .success(let message): half = message
        }
        let promise = context.connection.eventLoop.makePromise(of: RemotingCommand?.self)
        promise.completeWithTask {
            guard type == .commit else {
                await transactions.putOpRemove(for: half)
                return request.makeResponse(code: .success)
            }
            guard let committed = TransactionalMessageService.committed(half, commitLogOffset: header.commitLogOffset) else {
                return request.makeResponse(code: .systemError, remark: "Find prepared transaction message failed")
            }
            let result = await store.putMessage(committed)
            let response = Self.response(to: request, result: result, maxMessageSize: storeConfig.maxMessageSize)
            if response.responseCode == .success { await transactions.putOpRemove(for: half) }
            return response
        }
        return .future(promise.futureResult)
    }

    /// Java `sendFinalMessage`'s status mapping.
    static func response(to request: RemotingCommand, result: PutMessageResult, maxMessageSize: Int) -> RemotingCommand {
        switch result.status {
        case .putOK, .flushDiskTimeout, .flushSlaveTimeout, .slaveNotAvailable:
            return request.makeResponse(code: .success)
        case .createMappedFileFailed:
            return request.makeResponse(code: .systemError, remark: "Create mapped file failed.")
        case .messageIllegal, .propertiesSizeExceeded:
            return request.makeResponse(code: .messageIllegal, remark:
                "The message is illegal, maybe msg body or properties length not matched. msg body length limit \(maxMessageSize)B, msg properties length limit 32KB.")
        case .serviceNotAvailable:
            return request.makeResponse(code: .serviceNotAvailable, remark: "Service not available now.")
        case .osPageCacheBusy:
            return request.makeResponse(code: .systemError, remark: "OS page cache busy, please try another machine")
        case .unknownError:
            return request.makeResponse(code: .systemError, remark: "UNKNOWN_ERROR")
        default:
            return request.makeResponse(code: .systemError, remark: "UNKNOWN_ERROR DEFAULT")
        }
    }
}
