import Logging

extension LocalFileMessageStore {
    /// Java `DefaultMessageStore.recover` plus the dispatch catch-up of `start`, in this order:
    ///
    /// 1. each consume queue finds its last unit;
    /// 2. the commit log finds its last complete entry and cuts the rest (``CommitLog/recover(lastExitOK:checkpoint:)``);
    /// 3. consume queues and index files that point at or past the commit log's end are cut back — after an
    ///    abnormal stop the newest indexed message is un-indexed too, since its keys may be half written;
    /// 4. dispatch restarts at the lowest of: the consume queues' end (Java), the first entry the checkpoint does
    ///    not vouch for (abnormal stop), the newest indexed message (abnormal stop); consume queues and index
    ///    skip what they already hold;
    /// 5. the per-queue next offsets are taken from the consume queues and their minimums corrected.
    ///
    /// Only the unflushed tail since the checkpoint is scanned, not the whole store.
    static func recover(
        lastExitOK: Bool, config: MessageStoreConfig, commitLog: CommitLog, consumeQueues: ConsumeQueueTable,
        indexService: IndexService, checkpoint: StoreCheckpoint, reput: ReputMessageService, logger: Logger
    ) throws(StoreError) -> RecoveryReport {
        for queue in consumeQueues.all {
            queue.recover()
        }
        let log = commitLog.recover(lastExitOK: lastExitOK, checkpoint: checkpoint)
        var truncatedQueues = 0
        var redispatchFrom = log.dispatchFrom ?? Int64.max
        if commitLog.queue.isEmpty {
            // The commit log is gone: nothing the queues or the index point at exists (Java `destroyLogics`).
            for queue in consumeQueues.all where queue.maxOffsetInQueue > 0 {
                queue.destroy()
                truncatedQueues += 1
            }
            indexService.destroy()
        } else {
            for queue in consumeQueues.all where queue.maxPhysicOffset > log.processOffset {
                logger.warning("consume queue ahead of the commit log; cut", metadata: [
                    "topic": "\(queue.topic)", "queueId": "\(queue.queueId)",
                    "maxPhysicOffset": "\(queue.maxPhysicOffset)", "commitLogEnd": "\(log.processOffset)",
                ])
                queue.truncateDirtyLogicFiles(log.processOffset)
                truncatedQueues += 1
            }
            var cut = log.processOffset
            if !lastExitOK, let newest = indexService.lastIndexedPhyOffset, newest < cut, newest >= commitLog.minOffset {
                cut = newest
                redispatchFrom = min(redispatchFrom, newest)
            }
            indexService.truncate(from: cut) { offset in
                let timestamp = commitLog.pickupStoreTimestamp(offset: offset, size: 91)
                return timestamp > 0 ? timestamp : nil
            }
        }

        let minOffset = max(0, commitLog.minOffset)
        var start = minOffset
        for queue in consumeQueues.all {
            start = max(start, queue.maxPhysicOffset)
        }
        start = max(minOffset, min(start, redispatchFrom, commitLog.maxOffset))
        reput.reputFromOffset = start
        reput.replayEnd = commitLog.maxOffset
        Self.recoverTopicQueueTable(commitLog: commitLog, consumeQueues: consumeQueues)
        var previous = Int64(-1)
        while reput.reputFromOffset < reput.dispatchLimit && reput.reputFromOffset != previous && !reput.isFailing {
            previous = reput.reputFromOffset
            reput.doReput()
        }
        Self.recoverTopicQueueTable(commitLog: commitLog, consumeQueues: consumeQueues)
        if !lastExitOK {
            logger.info("abnormal recovery done", metadata: [
                "commitLogEnd": "\(log.processOffset)", "dispatchedFrom": "\(start)",
                "truncatedConsumeQueues": "\(truncatedQueues)",
            ])
        }
        return RecoveryReport(
            commitLogEnd: log.processOffset, tornTail: log.tornTail, truncatedConsumeQueues: truncatedQueues,
            dispatchedFrom: start)
    }

    /// Java `recoverTopicQueueTable`: each queue's next offset from its consume queue; minimums moved past
    /// messages no longer in the commit log.
    static func recoverTopicQueueTable(commitLog: CommitLog, consumeQueues: ConsumeQueueTable) {
        var table: [CommitLog.TopicQueueKey: Int64] = [:]
        let minPhysicalOffset = commitLog.minOffset
        for queue in consumeQueues.all {
            table[CommitLog.TopicQueueKey(topic: queue.topic, queueId: queue.queueId)] = queue.maxOffsetInQueue
            queue.correctMinOffset(minPhysicalOffset)
        }
        commitLog.setTopicQueueTable(table)
    }
}
