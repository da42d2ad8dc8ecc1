extension SendMessageResponseHeader {
    /// ``CommandCustomHeader/extFields`` laid out in one allocation (the same bytes, not an append per field):
    /// the broker answers every send with it.
    public var answerFields: ExtFields {
        ExtFields(layout: { fields in
            fields.append("msgId", msgId)
            fields.append("queueId", queueId)
            fields.append("queueOffset", queueOffset)
            if let transactionId { fields.append("transactionId", transactionId) }
            if let msgRegion { fields.append("MSG_REGION", msgRegion) }
            if let traceOn { fields.append("TRACE_ON", traceOn) }
        })
    }
}
