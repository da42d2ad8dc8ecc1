import RocketMQModel

/// What the broker's admin requests ask of the store (Java `DefaultMessageStore.cleanUnusedTopic`,
/// `cleanExpiredConsumerQueue`). Both delete files: call them from a thread that may block, never an event loop.
///
/// A destroyed queue stays in the consume-queue table as an empty queue (no files, offsets 0), which reads
/// exactly as the absent queue Java leaves behind, and is written again from offset 0 if the topic returns.
extension LocalFileMessageStore {
    /// Java `cleanUnusedTopic`: destroys the consume queues of every topic not in `topics`, except
    /// `SCHEDULE_TOPIC_XXXX`, `RMQ_SYS_TRANS_OP_HALF_TOPIC` and LMQ topics, and forgets their next queue
    /// offsets. Returns the topics whose queues held files.
    @discardableResult
    public func cleanUnusedTopic(keeping topics: Set<String>) -> [String] {
        let unused = self.consumeQueues.all.filter { queue in
            !topics.contains(queue.topic) && queue.topic != TopicValidator.scheduleTopic
                && queue.topic != TopicValidator.transactionOpHalfTopic && !MixAll.isLmq(queue.topic)
        }
        var cleaned: Set<String> = []
        for queue in unused where self.destroy(queue) { cleaned.insert(queue.topic) }
        for topic in Set(unused.map(\.topic)) {
            FileSystem.removeEmptyDirectory(FileSystem.join(self.consumeQueues.storePath, topic))
        }
        for topic in cleaned.sorted() { self.logger.info("cleanUnusedTopic: topic destroyed", metadata: ["topic": "\(topic)"]) }
        return cleaned.sorted()
    }

    /// Java `cleanExpiredConsumerQueue`: destroys the queues (outside `SCHEDULE_TOPIC_XXXX`) whose last message
    /// lies below the commit log's first offset; an empty queue is left alone. Returns the `topic@queueId`s
    /// destroyed.
    @discardableResult
    public func cleanExpiredConsumeQueue() -> [String] {
        let minCommitLogOffset = self.commitLog.minOffset
        var destroyed: [String] = []
        for queue in self.consumeQueues.all where queue.topic != TopicValidator.scheduleTopic {
            let lastOffset = queue.maxPhysicOffset
            guard lastOffset != -1, lastOffset < minCommitLogOffset else { continue }
            self.logger.info("cleanExpiredConsumerQueue: consume queue destroyed", metadata: [
                "topic": "\(queue.topic)", "queueId": "\(queue.queueId)", "minCommitLogOffset": "\(minCommitLogOffset)",
                "maxCLOffsetInConsumeQueue": "\(lastOffset)",
            ])
            self.destroy(queue)
            destroyed.append("\(queue.topic)@\(queue.queueId)")
        }
        return destroyed.sorted()
    }

    /// Deletes a queue's files and directory and its next offset; true when it held files.
    @discardableResult
    private func destroy(_ queue: ConsumeQueue) -> Bool {
        let hadFiles = !queue.queue.isEmpty
        self.commitLog.removeQueueFromTopicQueueTable(topic: queue.topic, queueId: queue.queueId)
        queue.destroy()
        FileSystem.removeEmptyDirectory(queue.directory)
        return hadFiles
    }
}
