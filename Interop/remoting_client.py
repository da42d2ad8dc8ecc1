"""A small RocketMQ remoting client over raw TCP, for what the PyPI client cannot do (not a driver).

The PyPI wrapper (rocketmq==0.4.4) has no transaction producer and no way to lock queues by hand, so
the semantics drivers speak the protocol themselves for those parts. Everything here is modelled on
the Java 4.9.8 client's traffic in `Fixtures/08-transaction` (HEART_BEAT with a producerDataSet,
SEND_MESSAGE_V2 with TRAN_MSG/PGROUP, oneway END_TRANSACTION, the broker's oneway
CHECK_TRANSACTION_STATE) and `Fixtures/06-orderly-consumer` (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ):

    frame  = int32 length (of what follows) | int32 (serialize type << 24 | header length)
             | JSON header | body
    header = {"code", "extFields", "flag" (bit 0 response, bit 1 oneway), "language": "JAVA",
              "opaque", "serializeTypeCurrentRPC": "JSON", "version": 409}

A reader thread matches responses to requests by opaque and hands requests from the server
(CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED) to a callback.
"""
import json
import os
import random
import re
import socket
import struct
import threading
import time

# Request codes (Java RequestCode).
SEND_MESSAGE_V2 = 310
HEART_BEAT = 34
UNREGISTER_CLIENT = 35
END_TRANSACTION = 37
CHECK_TRANSACTION_STATE = 39
LOCK_BATCH_MQ = 41
UNLOCK_BATCH_MQ = 42
GET_ROUTEINFO_BY_TOPIC = 105
PULL_MESSAGE = 11
CONSUMER_SEND_MSG_BACK = 36
GET_CONSUMER_LIST_BY_GROUP = 38

# Java PullSysFlag.
PULL_FLAG_SUBSCRIPTION = 0x4

# Java MessageSysFlag.
TRANSACTION_NOT_TYPE = 0
TRANSACTION_PREPARED_TYPE = 0x4
TRANSACTION_COMMIT_TYPE = 0x8
TRANSACTION_ROLLBACK_TYPE = 0xC
BORNHOST_V6_FLAG = 0x10
STOREHOST_V6_FLAG = 0x20

NAME_VALUE_SEPARATOR = "\x01"
PROPERTY_SEPARATOR = "\x02"

RESPONSE_FLAG = 1
ONEWAY_FLAG = 2


class RemotingError(Exception):
    pass


def encode_frame(code, ext_fields=None, body=b"", opaque=0, flag=0):
    header = {"code": code, "flag": flag, "language": "JAVA", "opaque": opaque,
              "serializeTypeCurrentRPC": "JSON", "version": 409}
    if ext_fields is not None:
        header["extFields"] = {key: str(value) for key, value in ext_fields.items()}
    head = json.dumps(header, separators=(",", ":")).encode()
    # Serialize type JSON (0) in the high byte of the header-length word.
    return struct.pack(">ii", 4 + len(head) + len(body), (0 << 24) | len(head)) + head + body


def read_frame(sock):
    def exactly(n):
        data = bytearray()
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError("connection closed")
            data += chunk
        return bytes(data)
    length, word = struct.unpack(">ii", exactly(8))
    serialize_type = (word >> 24) & 0xFF
    header_length = word & 0xFFFFFF
    if serialize_type != 0:
        raise RemotingError(f"serialize type {serialize_type}: only JSON headers are expected")
    header = json.loads(exactly(header_length))
    body = exactly(length - 4 - header_length)
    return header, body


def encode_properties(properties):
    return "".join(f"{key}{NAME_VALUE_SEPARATOR}{value}{PROPERTY_SEPARATOR}" for key, value in properties.items())


def decode_properties(text):
    properties = {}
    for item in text.split(PROPERTY_SEPARATOR):
        if NAME_VALUE_SEPARATOR in item:
            key, value = item.split(NAME_VALUE_SEPARATOR, 1)
            properties[key] = value
    return properties


def decode_message(data):
    """Java MessageDecoder.decode of one stored message (the body of a CHECK_TRANSACTION_STATE)."""
    offset = 0

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    message = {}
    message["storeSize"] = take(">i")
    message["magicCode"] = take(">i") & 0xFFFFFFFF
    message["bodyCRC"] = take(">i")
    message["queueId"] = take(">i")
    message["flag"] = take(">i")
    message["queueOffset"] = take(">q")
    message["physicOffset"] = take(">q")
    message["sysFlag"] = take(">i")
    message["bornTimestamp"] = take(">q")
    born_len = 16 if message["sysFlag"] & BORNHOST_V6_FLAG else 4
    message["bornHost"] = (data[offset:offset + born_len], struct.unpack_from(">i", data, offset + born_len)[0])
    offset += born_len + 4
    message["storeTimestamp"] = take(">q")
    store_len = 16 if message["sysFlag"] & STOREHOST_V6_FLAG else 4
    store_ip = data[offset:offset + store_len]
    store_port = struct.unpack_from(">i", data, offset + store_len)[0]
    offset += store_len + 4
    message["storeHost"] = (store_ip, store_port)
    message["reconsumeTimes"] = take(">i")
    message["preparedTransactionOffset"] = take(">q")
    body_length = take(">i")
    message["body"] = data[offset:offset + body_length]
    offset += body_length
    topic_length = take(">B")  # one byte in message version 1
    message["topic"] = data[offset:offset + topic_length].decode()
    offset += topic_length
    properties_length = take(">h")
    message["properties"] = decode_properties(data[offset:offset + properties_length].decode())
    offset += properties_length
    message["offsetMsgId"] = (store_ip + struct.pack(">iq", store_port, message["physicOffset"])).hex().upper()
    return message


def decode_messages(data):
    """Every message in a PULL_MESSAGE response body (stored messages back to back)."""
    messages = []
    offset = 0
    while offset + 4 <= len(data):
        size = struct.unpack_from(">i", data, offset)[0]
        messages.append(decode_message(data[offset:offset + size]))
        offset += size
    return messages


def commit_log_offset(offset_msg_id):
    """The commit-log offset in an offset msg id (store host ip:port + 8-byte offset, in hex)."""
    return struct.unpack(">q", bytes.fromhex(offset_msg_id[-16:]))[0]


class UniqueKeys:
    """32-hex-digit UNIQ_KEYs in the shape of Java's MessageClientIDSetter: ip, pid, a random word,
    the time since the run started and a counter."""

    def __init__(self):
        self.prefix = (bytes([127, 0, 0, 1]) + struct.pack(">H", os.getpid() & 0xFFFF)
                       + struct.pack(">I", random.getrandbits(32))).hex().upper()
        self.started = time.time()
        self.counter = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.counter += 1
            millis = int((time.time() - self.started) * 1000) & 0xFFFFFFFF
            return self.prefix + struct.pack(">IH", millis, self.counter & 0xFFFF).hex().upper()


def parse_route(body):
    """The name server's TopicRouteData: fastjson writes the brokerAddrs keys (brokerIds) unquoted."""
    text = re.sub(r'([{,])\s*(-?\d+)\s*:', r'\1"\2":', body.decode())
    return json.loads(text)


class RemotingConnection:
    """One TCP connection: invoke (request → response), oneway, and a callback for server requests."""

    def __init__(self, address, on_request=None, timeout=5.0):
        host, port = address.rsplit(":", 1)
        self.address = address
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.settimeout(None)
        self.timeout = timeout
        self.on_request = on_request
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.responses = {}
        self.opaque = 0
        self.closed = False
        self.error = None
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    def _next_opaque(self):
        with self.lock:
            self.opaque += 1
            return self.opaque

    def _read_loop(self):
        try:
            while True:
                header, body = read_frame(self.sock)
                if header.get("flag", 0) & RESPONSE_FLAG:
                    with self.cond:
                        self.responses[header["opaque"]] = (header, body)
                        self.cond.notify_all()
                elif self.on_request is not None:
                    self.on_request(self, header, body)
        except (EOFError, OSError) as error:
            with self.cond:
                self.closed = True
                self.error = error
                self.cond.notify_all()
        except Exception as error:  # a bug in a handler: keep it visible
            with self.cond:
                self.closed = True
                self.error = error
                self.cond.notify_all()

    def invoke(self, code, ext_fields=None, body=b"", timeout=None):
        opaque = self._next_opaque()
        frame = encode_frame(code, ext_fields, body, opaque=opaque)
        with self.lock:
            self.sock.sendall(frame)
        deadline = time.monotonic() + (timeout or self.timeout)
        with self.cond:
            while opaque not in self.responses:
                if self.closed:
                    raise RemotingError(f"connection to {self.address} closed waiting for code {code}: {self.error}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RemotingError(f"no response to code {code} (opaque {opaque}) from {self.address} in time")
                self.cond.wait(left)
            return self.responses.pop(opaque)

    def oneway(self, code, ext_fields=None, body=b""):
        frame = encode_frame(code, ext_fields, body, opaque=self._next_opaque(), flag=ONEWAY_FLAG)
        with self.lock:
            self.sock.sendall(frame)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def topic_route(namesrv, topic):
    """GET_ROUTEINFO_BY_TOPIC: (broker name, master address, write queue count) of the topic's first
    broker, or None when the name server has no route."""
    connection = RemotingConnection(namesrv)
    try:
        header, body = connection.invoke(GET_ROUTEINFO_BY_TOPIC, {"topic": topic})
    finally:
        connection.close()
    if header["code"] != 0:
        return None
    route = parse_route(body)
    broker = route["brokerDatas"][0]
    queues = next(q for q in route["queueDatas"] if q["brokerName"] == broker["brokerName"])
    return broker["brokerName"], broker["brokerAddrs"]["0"], queues["writeQueueNums"]


class TransactionProducer:
    """What a Java TransactionMQProducer does on the wire, minus its local-transaction executor:
    HEART_BEAT with the producer group (so the broker can call back), SEND_MESSAGE_V2 of half messages
    (sysFlag TRANSACTION_PREPARED_TYPE, properties TRAN_MSG=true and PGROUP), oneway END_TRANSACTION,
    and a oneway END_TRANSACTION (fromTransactionCheck=true) for each CHECK_TRANSACTION_STATE, whose
    outcome `on_check(message, header)` decides (8 commit, 12 rollback, 0 unknown, None no answer)."""

    def __init__(self, broker_address, broker_name, group, on_check):
        self.group = group
        self.broker_name = broker_name
        self.client_id = f"127.0.0.1@{os.getpid()}#txraw{random.getrandbits(32)}"
        self.on_check = on_check
        self.keys = UniqueKeys()
        self.connection = RemotingConnection(broker_address, on_request=self._on_request)

    def heartbeat(self):
        body = json.dumps({"clientID": self.client_id, "consumerDataSet": [],
                           "producerDataSet": [{"groupName": self.group}, {"groupName": "CLIENT_INNER_PRODUCER"}]},
                          separators=(",", ":")).encode()
        header, _ = self.connection.invoke(HEART_BEAT, None, body)
        if header["code"] != 0:
            raise RemotingError(f"HEART_BEAT answered {header['code']} {header.get('remark')}")

    def send_half(self, topic, queue_id, body, tags, keys, user_properties):
        """SEND_MESSAGE_V2 of a half message; returns (uniq key, response header)."""
        uniq = self.keys.next()
        properties = dict(user_properties)
        properties.update({"KEYS": keys, "TRAN_MSG": "true", "UNIQ_KEY": uniq, "WAIT": "true",
                           "PGROUP": self.group, "TAGS": tags})
        ext = {"a": self.group, "b": topic, "c": "TBW102", "d": 4, "e": queue_id, "f": TRANSACTION_PREPARED_TYPE,
               "g": int(time.time() * 1000), "h": 0, "i": encode_properties(properties), "j": 0, "k": "false",
               "m": "false", "n": self.broker_name}
        header, _ = self.connection.invoke(SEND_MESSAGE_V2, ext, body)
        return uniq, header

    def end_transaction(self, uniq, send_response, commit_or_rollback, **overrides):
        """The oneway END_TRANSACTION a Java producer sends after its local transaction (`overrides`
        replace header fields, e.g. a wrong producerGroup)."""
        fields = send_response["extFields"]
        ext = {"producerGroup": self.group, "bname": self.broker_name,
               "commitLogOffset": commit_log_offset(fields["msgId"]), "msgId": uniq,
               "tranStateTableOffset": fields["queueOffset"], "commitOrRollback": commit_or_rollback,
               "fromTransactionCheck": "false"}
        ext.update(overrides)
        self.connection.oneway(END_TRANSACTION, ext)

    def _on_request(self, connection, header, body):
        if header["code"] != CHECK_TRANSACTION_STATE:
            return  # e.g. NOTIFY_CONSUMER_IDS_CHANGED: nothing to do for a producer
        fields = header.get("extFields", {})
        message = decode_message(body)
        outcome = self.on_check(message, header)
        if outcome is None:
            return
        ext = {"producerGroup": self.group, "commitLogOffset": fields.get("commitLogOffset"),
               "msgId": fields.get("msgId"), "tranStateTableOffset": fields.get("tranStateTableOffset"),
               "commitOrRollback": outcome, "fromTransactionCheck": "true"}
        if fields.get("transactionId") is not None:
            ext["transactionId"] = fields["transactionId"]
        connection.oneway(END_TRANSACTION, ext)

    def close(self):
        try:
            body = b""
            self.connection.invoke(UNREGISTER_CLIENT, {"clientID": self.client_id, "producerGroup": self.group}, body,
                                   timeout=2)
        except RemotingError:
            pass
        self.connection.close()


def lock_batch(broker_address, group, client_id, mqs, unlock=False):
    """LOCK_BATCH_MQ (or UNLOCK_BATCH_MQ) of `mqs` [(topic, brokerName, queueId)] for `client_id`;
    returns the queue ids the broker locked (None for an unlock)."""
    connection = RemotingConnection(broker_address)
    try:
        body = json.dumps({"clientId": client_id, "consumerGroup": group,
                           "mqSet": [{"brokerName": b, "queueId": q, "topic": t} for t, b, q in mqs]},
                          separators=(",", ":")).encode()
        header, answer = connection.invoke(UNLOCK_BATCH_MQ if unlock else LOCK_BATCH_MQ, None, body)
    finally:
        connection.close()
    if header["code"] != 0:
        raise RemotingError(f"{'UN' if unlock else ''}LOCK_BATCH_MQ answered {header['code']} {header.get('remark')}")
    if unlock:
        return None
    return sorted(mq["queueId"] for mq in json.loads(answer or b"{}").get("lockOKMQSet", []))


def pull(broker_address, group, topic, queue_id, offset=0, max_messages=32):
    """One PULL_MESSAGE as the Java client sends it, with its subscription (`*`) but without suspending
    (so an empty queue answers at once) or committing an offset; returns (response code, decoded messages). Reads topics
    no name server routes, e.g. the broker's system topics."""
    connection = RemotingConnection(broker_address)
    try:
        header, body = connection.invoke(PULL_MESSAGE, {
            "consumerGroup": group, "topic": topic, "queueId": queue_id, "queueOffset": offset,
            "maxMsgNums": max_messages, "sysFlag": PULL_FLAG_SUBSCRIPTION, "commitOffset": 0,
            "suspendTimeoutMillis": 0, "subscription": "*", "subVersion": 0, "expressionType": "TAG"})
    finally:
        connection.close()
    return header["code"], (decode_messages(body) if header["code"] == 0 else [])


def consumer_ids(broker_address, group):
    """GET_CONSUMER_LIST_BY_GROUP: the client ids the broker has for a consumer group (none when it
    answers that the group has no consumer)."""
    connection = RemotingConnection(broker_address)
    try:
        header, body = connection.invoke(GET_CONSUMER_LIST_BY_GROUP, {"consumerGroup": group})
    finally:
        connection.close()
    if header["code"] != 0:
        return []
    return json.loads(body or b"{}").get("consumerIdList", [])
