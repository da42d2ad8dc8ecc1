import Logging
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// The broker's administrative requests (Java `AdminBrokerProcessor`). So far the queue locks of orderly
/// consumers: LOCK_BATCH_MQ and UNLOCK_BATCH_MQ.
public struct AdminBrokerProcessor: RequestProcessor {
    public static let codes: [RequestCode] = [.lockBatchMQ, .unlockBatchMQ]

    private let metadata: BrokerMetadata

    public init(metadata: BrokerMetadata) {
        self.metadata = metadata
    }

    public func process(_ request: RemotingCommand, context: RequestContext) throws -> ProcessorResult {
        switch request.requestCode {
        case .lockBatchMQ:
            let body = try LockBatchRequestBody(body: request.body)
            let now = metadata.clock()
            let locked = metadata.withState {
                $0.locks.tryLockBatch(group: body.consumerGroup, queues: body.mqSet, clientId: body.clientId, now: now)
            }
            return .response(request.makeResponse(code: .success, body: LockBatchResponseBody(lockOKMQSet: locked).encoded()))
        case .unlockBatchMQ:
            let body = try LockBatchRequestBody(body: request.body)
            metadata.withState { $0.locks.unlockBatch(group: body.consumerGroup, queues: body.mqSet, clientId: body.clientId) }
            return .response(request.makeResponse(code: .success))
        default:
            return .response(request.makeRequestCodeNotSupportedResponse())
        }
    }
}
