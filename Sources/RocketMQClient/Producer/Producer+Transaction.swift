import RemotingCodec
import RocketMQModel

extension Producer {
    /// Sends a half message, runs `execute` (the local transaction) once the broker holds it, then
    /// commits or rolls back (Java `sendMessageInTransaction`). An UNKNOW answer leaves the decision
    /// to the broker's later CHECK_TRANSACTION_STATE, answered by the producer's checker.
    public func sendInTransaction(
        _ message: Message, execute: @Sendable (Message, SendResult) async throws -> LocalTransactionState
    ) async throws -> TransactionSendResult {
        guard hasTransactionChecker else {
            throw MQClientError.messageIllegal("TransactionListener is null")
        }
        guard message.delayTimeLevel == nil else {
            throw MQClientError.messageIllegal("DelayTimeLevel is not supported for transaction message")
        }
        var half = message
        half.properties[MessageConst.transactionPrepared] = "true"
        half.properties[MessageConst.producerGroup] = configuration.group
        let result = try await send(half)
        var state = LocalTransactionState.unknown
        var remark: String?
        if result.status == .sendOK {
            if let transactionId = result.transactionId { half.properties[MessageConst.transactionId] = transactionId }
            do { state = try await execute(half, result) } catch {
                remark = "executeLocalTransactionBranch exception: \(error)"
            }
        } else {
            state = .rollbackMessage
        }
        try await endTransaction(result, state: state, remark: remark)
        return TransactionSendResult(sendResult: result, localTransactionState: state)
    }

    /// END_TRANSACTION, oneway, to the master that holds the half message (Java `endTransaction`).
    private func endTransaction(_ result: SendResult, state: LocalTransactionState, remark: String?) async throws {
        guard let address = instance.masterAddress(result.messageQueue.brokerName) else {
            throw MQClientError.brokerNotFound(brokerName: result.messageQueue.brokerName)
        }
        guard let decoded = MessageId.decodeOffsetMsgId(result.offsetMsgId) else {
            throw MQClientError.badResponse("bad offsetMsgId \(result.offsetMsgId)")
        }
        let header = EndTransactionRequestHeader(
            producerGroup: configuration.group, tranStateTableOffset: result.queueOffset,
            commitLogOffset: decoded.physicalOffset, commitOrRollback: state.transactionType.rawValue,
            fromTransactionCheck: false, msgId: result.msgId, transactionId: result.transactionId ?? result.msgId)
        var request = instance.request(.endTransaction, header: header)
        request.remark = remark
        try await instance.invokeOneway(address, request)
    }
}
