#!/usr/bin/env python3
"""Generates Sources/RemotingCodec/Headers/Generated/*.swift from the table below.

Each header: Swift type name, Java class it mirrors, fields in Java's encoding order.
Field syntax: name:Type<mark>  with Type S=String I=Int32 L=Int64 B=Bool and mark
  !  required (@CFNotNull: missing -> "the custom field <name> is null")
  ?  optional (nil when absent, omitted when nil)
  =v a Java primitive with default v: optional on the wire, always written
Run: python3 Scripts/generate-headers.py
"""
import os, re

HEADERS = {
"SendMessageHeaders": [
    ("SendMessageResponseHeader", "SendMessageResponseHeader",
     "msgId:S! queueId:I! queueOffset:L! transactionId:S? MSG_REGION:S? TRACE_ON:S?"),
],
"PullMessageHeaders": [
    ("PullMessageRequestHeader", "PullMessageRequestHeader",
     "consumerGroup:S! topic:S! queueId:I! queueOffset:L! maxMsgNums:I! sysFlag:I! commitOffset:L! "
     "suspendTimeoutMillis:L! subscription:S? subVersion:L! expressionType:S? bname:S?"),
    ("PullMessageResponseHeader", "PullMessageResponseHeader",
     "suggestWhichBrokerId:L! nextBeginOffset:L! minOffset:L! maxOffset:L!"),
],
"ConsumerOffsetHeaders": [
    ("QueryConsumerOffsetRequestHeader", "QueryConsumerOffsetRequestHeader",
     "consumerGroup:S! topic:S! queueId:I! bname:S?"),
    ("QueryConsumerOffsetResponseHeader", "QueryConsumerOffsetResponseHeader", "offset:L!"),
    ("UpdateConsumerOffsetRequestHeader", "UpdateConsumerOffsetRequestHeader",
     "consumerGroup:S! topic:S! queueId:I! commitOffset:L! bname:S?"),
],
"QueueOffsetHeaders": [
    ("GetMaxOffsetRequestHeader", "GetMaxOffsetRequestHeader", "topic:S! queueId:I! committed:B? bname:S?"),
    ("GetMaxOffsetResponseHeader", "GetMaxOffsetResponseHeader", "offset:L!"),
    ("GetMinOffsetRequestHeader", "GetMinOffsetRequestHeader", "topic:S! queueId:I! bname:S?"),
    ("GetMinOffsetResponseHeader", "GetMinOffsetResponseHeader", "offset:L!"),
    ("GetEarliestMsgStoretimeRequestHeader", "GetEarliestMsgStoretimeRequestHeader", "topic:S! queueId:I! bname:S?"),
    ("GetEarliestMsgStoretimeResponseHeader", "GetEarliestMsgStoretimeResponseHeader", "timestamp:L!"),
    ("SearchOffsetRequestHeader", "SearchOffsetRequestHeader", "topic:S! queueId:I! timestamp:L! bname:S?"),
    ("SearchOffsetResponseHeader", "SearchOffsetResponseHeader", "offset:L!"),
],
"ClientHeaders": [
    ("UnregisterClientRequestHeader", "UnregisterClientRequestHeader",
     "clientID:S! producerGroup:S? consumerGroup:S?"),
    ("GetConsumerListByGroupRequestHeader", "GetConsumerListByGroupRequestHeader", "consumerGroup:S!"),
    ("NotifyConsumerIdsChangedRequestHeader", "NotifyConsumerIdsChangedRequestHeader", "consumerGroup:S!"),
    ("ConsumerSendMsgBackRequestHeader", "ConsumerSendMsgBackRequestHeader",
     "offset:L! group:S! delayLevel:I! originMsgId:S? originTopic:S? unitMode:B=false maxReconsumeTimes:I? bname:S?"),
    ("ResetOffsetRequestHeader", "ResetOffsetRequestHeader", "topic:S! group:S! timestamp:L! isForce:B!"),
    ("GetConsumerStatusRequestHeader", "GetConsumerStatusRequestHeader", "topic:S! group:S! clientAddr:S?"),
    ("GetConsumerRunningInfoRequestHeader", "GetConsumerRunningInfoRequestHeader",
     "consumerGroup:S! clientId:S! jstackEnable:B=false"),
    ("ConsumeMessageDirectlyResultRequestHeader", "ConsumeMessageDirectlyResultRequestHeader",
     "consumerGroup:S! clientId:S? msgId:S? brokerName:S?"),
],
"TransactionHeaders": [
    ("EndTransactionRequestHeader", "EndTransactionRequestHeader",
     "producerGroup:S! tranStateTableOffset:L! commitLogOffset:L! commitOrRollback:I! "
     "fromTransactionCheck:B=false msgId:S! transactionId:S? bname:S?"),
    ("CheckTransactionStateRequestHeader", "CheckTransactionStateRequestHeader",
     "tranStateTableOffset:L! commitLogOffset:L! msgId:S? transactionId:S? offsetMsgId:S?"),
],
"QueryMessageHeaders": [
    ("QueryMessageRequestHeader", "QueryMessageRequestHeader",
     "topic:S! key:S! maxNum:I! beginTimestamp:L! endTimestamp:L! _UNIQUE_KEY_QUERY:S?"),
    ("QueryMessageResponseHeader", "QueryMessageResponseHeader",
     "indexLastUpdateTimestamp:L! indexLastUpdatePhyoffset:L!"),
    ("ViewMessageRequestHeader", "ViewMessageRequestHeader", "offset:L!"),
],
"NameServerHeaders": [
    ("GetRouteInfoRequestHeader", "GetRouteInfoRequestHeader", "topic:S! acceptStandardJsonOnly:B?"),
    ("RegisterBrokerRequestHeader", "RegisterBrokerRequestHeader",
     "brokerName:S! brokerAddr:S! clusterName:S! haServerAddr:S! brokerId:L! compressed:B=false bodyCrc32:I=0"),
    ("RegisterBrokerResponseHeader", "RegisterBrokerResponseHeader", "haServerAddr:S? masterAddr:S?"),
    ("UnregisterBrokerRequestHeader", "UnRegisterBrokerRequestHeader",
     "brokerName:S! brokerAddr:S! clusterName:S! brokerId:L!"),
    ("QueryDataVersionRequestHeader", "QueryDataVersionRequestHeader",
     "brokerName:S! brokerAddr:S! clusterName:S! brokerId:L!"),
    ("QueryDataVersionResponseHeader", "QueryDataVersionResponseHeader", "changed:B!"),
    ("GetTopicsByClusterRequestHeader", "GetTopicsByClusterRequestHeader", "cluster:S!"),
    ("DeleteTopicFromNamesrvRequestHeader", "DeleteTopicFromNamesrvRequestHeader", "topic:S! clusterName:S?"),
    ("WipeWritePermOfBrokerRequestHeader", "WipeWritePermOfBrokerRequestHeader", "brokerName:S!"),
    ("WipeWritePermOfBrokerResponseHeader", "WipeWritePermOfBrokerResponseHeader", "wipeTopicCount:I!"),
    ("AddWritePermOfBrokerRequestHeader", "AddWritePermOfBrokerRequestHeader", "brokerName:S!"),
    ("AddWritePermOfBrokerResponseHeader", "AddWritePermOfBrokerResponseHeader", "addTopicCount:I!"),
    ("PutKVConfigRequestHeader", "PutKVConfigRequestHeader", "namespace:S! key:S! value:S!"),
    ("GetKVConfigRequestHeader", "GetKVConfigRequestHeader", "namespace:S! key:S!"),
    ("GetKVConfigResponseHeader", "GetKVConfigResponseHeader", "value:S?"),
    ("DeleteKVConfigRequestHeader", "DeleteKVConfigRequestHeader", "namespace:S! key:S!"),
    ("GetKVListByNamespaceRequestHeader", "GetKVListByNamespaceRequestHeader", "namespace:S!"),
],
"AdminHeaders": [
    ("CreateTopicRequestHeader", "CreateTopicRequestHeader",
     "topic:S! defaultTopic:S! readQueueNums:I! writeQueueNums:I! perm:I! topicFilterType:S! "
     "topicSysFlag:I? order:B!"),
    ("DeleteTopicRequestHeader", "DeleteTopicRequestHeader", "topic:S!"),
    ("GetTopicStatsInfoRequestHeader", "GetTopicStatsInfoRequestHeader", "topic:S!"),
    ("GetConsumeStatsRequestHeader", "GetConsumeStatsRequestHeader", "consumerGroup:S! topic:S?"),
    ("QueryTopicConsumeByWhoRequestHeader", "QueryTopicConsumeByWhoRequestHeader", "topic:S!"),
    ("GetConsumerConnectionListRequestHeader", "GetConsumerConnectionListRequestHeader", "consumerGroup:S!"),
    ("GetProducerConnectionListRequestHeader", "GetProducerConnectionListRequestHeader", "producerGroup:S!"),
    ("DeleteSubscriptionGroupRequestHeader", "DeleteSubscriptionGroupRequestHeader",
     "groupName:S! removeOffset:B=false"),
    ("GetBrokerConfigResponseHeader", "GetBrokerConfigResponseHeader", "version:S!"),
    ("CloneGroupOffsetRequestHeader", "CloneGroupOffsetRequestHeader",
     "srcGroup:S! destGroup:S! topic:S? offline:B=false"),
    ("QueryConsumeTimeSpanRequestHeader", "QueryConsumeTimeSpanRequestHeader", "topic:S! group:S!"),
    ("QueryCorrectionOffsetHeader", "QueryCorrectionOffsetHeader",
     "filterGroups:S? compareGroup:S! topic:S!"),
    ("ViewBrokerStatsDataRequestHeader", "ViewBrokerStatsDataRequestHeader", "statsName:S! statsKey:S!"),
    ("GetConsumerStatsInBrokerHeader", "GetConsumeStatsInBrokerHeader", "isOrder:B!"),
    ("QueryConsumeQueueRequestHeader", "QueryConsumeQueueRequestHeader",
     "topic:S! queueId:I! index:L! count:I! consumerGroup:S?"),
    ("ResumeCheckHalfMessageRequestHeader", "ResumeCheckHalfMessageRequestHeader", "msgId:S?"),
    ("CreateAccessConfigRequestHeader", "CreateAccessConfigRequestHeader",
     "accessKey:S! secretKey:S? whiteRemoteAddress:S? admin:B=false defaultTopicPerm:S? defaultGroupPerm:S? "
     "topicPerms:S? groupPerms:S?"),
    ("DeleteAccessConfigRequestHeader", "DeleteAccessConfigRequestHeader", "accessKey:S!"),
    ("UpdateGlobalWhiteAddrsConfigRequestHeader", "UpdateGlobalWhiteAddrsConfigRequestHeader",
     "globalWhiteAddrs:S! aclFileFullPath:S!"),
],
"ReplyMessageHeaders": [
    ("ReplyMessageRequestHeader", "ReplyMessageRequestHeader",
     "producerGroup:S! topic:S! defaultTopic:S! defaultTopicQueueNums:I! queueId:I! sysFlag:I! "
     "bornTimestamp:L! flag:I! properties:S? reconsumeTimes:I? unitMode:B=false "
     "bornHost:S! storeHost:S! storeTimestamp:L!"),
],
}

SWIFT = {"S": "String", "I": "Int32", "L": "Int64", "B": "Bool"}
REQ = {"S": "requiredString", "I": "requiredInt32", "L": "requiredInt64", "B": "requiredBool"}
OPT = {"S": "optionalString", "I": "optionalInt32", "L": "optionalInt64", "B": "optionalBool"}
PARSE = {"I": "int32", "L": "int64"}

def prop(wire):
    # Wire keys that are not Swift-style names get a readable property name.
    special = {"MSG_REGION": "msgRegion", "TRACE_ON": "traceOn", "_UNIQUE_KEY_QUERY": "uniqueKeyQuery"}
    return special.get(wire, wire)

def parse(spec):
    out = []
    for item in spec.split():
        m = re.fullmatch(r"(\w+):([SILB])(!|\?|=.+)", item)
        assert m, item
        wire, t, mark = m.groups()
        out.append((prop(wire), wire, t, mark))
    return out

def render(name, java, fields):
    lines = [f"/// Java `{java}`.", f"public struct {name}: CommandCustomHeader, Equatable {{"]
    for p, w, t, mark in fields:
        st = SWIFT[t] + ("?" if mark == "?" else "")
        lines.append(f"    public var {p}: {st}")
    params = []
    for p, w, t, mark in fields:
        if mark == "!":
            params.append(f"{p}: {SWIFT[t]}")
        elif mark == "?":
            params.append(f"{p}: {SWIFT[t]}? = nil")
        else:
            params.append(f"{p}: {SWIFT[t]} = {mark[1:]}")
    lines.append("")
    if params:
        lines.append("    public init(")
        lines.append(",\n".join("        " + x for x in params))
        lines.append("    ) {")
        for p, *_ in fields:
            lines.append(f"        self.{p} = {p}")
        lines.append("    }")
    else:
        lines.append("    public init() {}")
    lines.append("")
    lines.append("    public init(extFields fields: ExtFields) throws(HeaderError) {")
    if fields:
        # One pass over the fields (a later duplicate wins, as in a map), then Java's checks in field order.
        for p, w, t, mark in fields:
            if mark == "!" and t in "IL":
                lines.append(f"        var {p}: ParsedField<{SWIFT[t]}> = .missing")
            else:
                lines.append(f"        var {p}: {SWIFT[t]}? = nil")
        lines.append("        fields.forEachRaw { entryName, entryValue in")
        lines.append("            switch entryName.count {")
        by_length = {}
        for p, w, t, mark in fields:
            by_length.setdefault(len(w.encode()), []).append((p, w, t, mark))
        for length in sorted(by_length):
            lines.append(f"            case {length}:")
            for i, (p, w, t, mark) in enumerate(by_length[length]):
                if t == "S":
                    expr = "FieldText.string(entryValue)"
                elif t == "B":
                    expr = "FieldText.bool(entryValue)"
                elif mark == "!":
                    expr = f"ParsedField(FieldText.{PARSE[t]}(entryValue), entryValue)"
                else:
                    expr = f"FieldText.{PARSE[t]}(entryValue)"
                keyword = "if" if i == 0 else "} else if"
                lines.append(f'                {keyword} entryName.equals("{w}") {{')
                lines.append(f"                    {p} = {expr}")
            lines.append("                }")
        lines.append("            default: break")
        lines.append("            }")
        lines.append("        }")
        for p, w, t, mark in fields:
            if mark == "!":
                if t in "IL":
                    lines.append(f'        self.{p} = try {p}.get("{w}")')
                else:
                    lines.append(f'        guard let {p} else {{ throw .missingField("{w}") }}')
                    lines.append(f"        self.{p} = {p}")
            elif mark == "?":
                lines.append(f"        self.{p} = {p}")
            else:
                lines.append(f"        self.{p} = {p} ?? {mark[1:]}")
    lines.append("    }")
    lines.append("")
    lines.append("    public func encode(into fields: inout ExtFields.Layout) {")
    for p, w, t, mark in fields:
        if mark == "?":
            lines.append(f'        if let {p} {{ fields.append("{w}", {p}) }}')
        else:
            lines.append(f'        fields.append("{w}", {p})')
    lines.append("    }")
    lines.append("}")
    return "\n".join(lines)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RemotingCodec", "Headers", "Generated")
os.makedirs(root, exist_ok=True)
for fname, headers in HEADERS.items():
    body = ["// Generated by Scripts/generate-headers.py; edit the table there, not this file.", ""]
    body.append("\n\n".join(render(n, j, parse(s)) for n, j, s in headers))
    open(os.path.join(root, fname + ".swift"), "w").write("\n".join(body) + "\n")
print("generated", sum(len(h) for h in HEADERS.values()), "headers")
