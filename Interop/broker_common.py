"""Shared helpers for the broker drivers (not a driver itself).

Every driver drives the unmodified C++ client (PyPI rocketmq==0.4.4, C++ core 1.2.x) against a name
server + broker of ours, prints machine-checkable lines and exits non-zero on failure:

    SENT <msgId> <queueOffset> <run>/<seq> <tags>       a send_sync result (SEND_OK checked)
    ONEWAY <run>/<seq> <tags>                           a send_oneway
    ROUTE <topic> <seconds>                             the name server has the topic's route
    RECV <consumer> <msgId> <queueId> <queueOffset> <run> <seq>     a push consumer got a message
    PULLED <msgId> <queueId> <queueOffset> <run> <seq>              a PullConsumer got one
    RETRY <what> <error>                                a send the C++ core gave up on before it succeeded
    FAIL <reason>                                       (then exit status 1; 3 from the watchdog)
    OK <summary>                                        (last line, exit status 0)

Every message a driver sends carries keys, a tag and the user properties `run` (which driver run
and batch sent it), `seq` (its number in that batch) and `note`, so receivers can tell exactly
which messages they got, how often, and whether they are intact; message 5 of a batch has a 100 kB
body, which the producer sends compressed. Every wait is a poll for a condition with a deadline; a
watchdog ends the process if a C++ call hangs.
"""
import functools
import json
import os
import random
import re
import socket
import string
import sys
import threading
import time

from rocketmq.client import Message, MessageModel, Producer, PullConsumer, PushConsumer, SendStatus

from remoting_client import GET_ROUTEINFO_BY_TOPIC, encode_frame, read_frame

MSG_ID = re.compile(r"^[0-9A-F]{32}$")
# Non-ASCII on purpose: bodies and properties must survive as UTF-8 bytes.
BODY_TEXT = "body {run}/{seq} \u00e9\u2713 ="
BIG_SEQ = 5


_OUTPUT = threading.Lock()


def emit(line):
    """Prints one whole line: consumer callbacks run on several C++ threads at once, and print()
    writes the text and its newline separately, so lines would interleave."""
    with _OUTPUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class DriverFailure(Exception):
    pass


def fail(reason):
    raise DriverFailure(reason)


def check(condition, reason):
    if not condition:
        fail(reason)


def start_watchdog(seconds):
    """Ends the process (status 3) after `seconds`: a hung C++ call cannot be interrupted otherwise."""
    def expire():
        emit(f"FAIL watchdog: the driver did not finish within {seconds} s")
        os._exit(3)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def wait_for(condition, timeout, interval=0.05):
    """Polls `condition` until it is true (returns True) or `timeout` seconds pass (returns False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def run_main(main):
    """Runs `main()` with a watchdog; prints `FAIL ...` and exits 1 on a DriverFailure or error."""
    start_watchdog(int(os.environ.get("INTEROP_DRIVER_DEADLINE", "55")))
    try:
        main()
    except DriverFailure as failure:
        emit(f"FAIL {failure}")
        os._exit(1)
    except Exception as error:  # an exception from the client (start, send) is a failure too
        emit(f"FAIL {type(error).__name__}: {error}")
        os._exit(1)
    sys.stdout.flush()
    # Skip interpreter teardown: the wrapper's __del__ shuts clients down a second time.
    os._exit(0)


class NameServerConnection:
    """One connection to a name server for route look-ups (GET_ROUTEINFO_BY_TOPIC, code 105)."""

    def __init__(self, namesrv):
        host, port = namesrv.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.opaque = 0

    def route_known(self, topic):
        self.opaque += 1
        self.sock.sendall(encode_frame(GET_ROUTEINFO_BY_TOPIC, {"topic": topic}, opaque=self.opaque))
        header, _ = read_frame(self.sock)
        return header["code"] == 0

    def close(self):
        self.sock.close()


def route_known(namesrv, topic):
    """Whether the name server has a route for `topic` (GET_ROUTEINFO_BY_TOPIC answers SUCCESS)."""
    connection = NameServerConnection(namesrv)
    try:
        return connection.route_known(topic)
    finally:
        connection.close()


def await_route(namesrv, topic, timeout=5):
    """Waits until the name server knows `topic`: the broker registers a topic it created on a send
    with the name server, and a consumer that finds no route waits for its 30 s route poll."""
    started = time.monotonic()
    check(wait_for(lambda: route_known(namesrv, topic), timeout, interval=0.01),
          f"the name server had no route for {topic} within {timeout} s of its first SEND_OK")
    emit(f"ROUTE {topic} {time.monotonic() - started:.3f}")


def tags_for(seq):
    return "TagA" if seq % 2 == 0 else "TagB"


def keys_for(run, seq):
    return f"KEY-{run}-{seq}"


@functools.lru_cache(maxsize=64)
def body_for(run, seq):
    """Short bodies, except seq 5: 100 kB of random letters, which the C++ producer zlib-compresses
    (it compresses bodies over 4 kB and sets the compressed sysFlag; consumers inflate them)."""
    text = BODY_TEXT.format(run=run, seq=seq)
    if seq == BIG_SEQ:
        letters = random.Random(f"{run}/{seq}")
        text += "".join(letters.choice(string.ascii_letters + string.digits) for _ in range(100_000))
    return text


def make_message(topic, run, seq):
    message = Message(topic)
    message.set_keys(keys_for(run, seq))
    message.set_tags(tags_for(seq))
    message.set_body(body_for(run, seq))
    message.set_property("run", run)
    message.set_property("seq", str(seq))
    message.set_property("note", "user property \u00fc=1 b")
    return message


def retry_unrouted(send, what, attempts=5, pause=0.5):
    """Returns `send()`, calling it again (bounded) while the C++ core answers "No route info".

    The core raises that when its route look-up or the connection it needs lost a race inside the
    client: on a loaded machine its start-up thread holds the transport table while a send gives up
    on the lock at once, or the name server's answer misses its 5 s wait. An application would send
    again; so do the drivers, visibly (a RETRY line). The retried message is the same one, so what the
    consumers must receive does not change: a retry cannot hide a lost message, and a send that did
    reach the broker before the error would show as a duplicate where the drivers count deliveries.
    """
    for attempt in range(1, attempts + 1):
        try:
            return send()
        except Exception as error:
            if attempt == attempts or "No route info" not in str(error):
                raise
            emit(f"RETRY {what} {type(error).__name__}")
            time.sleep(pause)


def start_producer(namesrv, group):
    producer = Producer(group, timeout=5000)
    producer.set_namesrv_addr(namesrv)
    producer.start()
    return producer


def send_sync(producer, topic, run, seq):
    """send_sync with the checks of a SEND_OK result; prints SENT; returns (msgId, offset)."""
    message = make_message(topic, run, seq)
    result = retry_unrouted(lambda: producer.send_sync(message), f"{run}/{seq}")
    check(result.status == SendStatus.OK, f"send_sync {run}/{seq} status {result.status!r}")
    check(MSG_ID.match(result.msg_id), f"send_sync {run}/{seq} msg_id {result.msg_id!r} is not 32 hex digits")
    check(result.offset >= 0, f"send_sync {run}/{seq} offset {result.offset}")
    emit(f"SENT {result.msg_id} {result.offset} {run}/{seq} {tags_for(seq)}")
    return result.msg_id, result.offset


def send_batch(producer, topic, run, count):
    """send_sync `count` messages of `run`; returns {seq: (msgId, offset)}."""
    return {seq: send_sync(producer, topic, run, seq) for seq in range(count)}


def send_to_queue(producer, topic, run, seq, queue):
    """send_orderly with a selector picking `queue`; returns (msgId, offset, queue count)."""
    seen = {}

    def select(size, message, arg):
        seen["size"] = size
        return queue % size

    message = make_message(topic, run, seq)
    result = retry_unrouted(lambda: producer.send_orderly(message, 0, queue_selector=select), f"{run}/{seq}")
    check(result.status == SendStatus.OK, f"send_orderly {run}/{seq} status {result.status!r}")
    return result.msg_id, result.offset, seen["size"]


def decode(value):
    return value.decode() if isinstance(value, bytes) else value


class Received:
    """What one or more push consumers got, as (consumer, message fields) in arrival order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def record(self, consumer, message):
        item = {
            "consumer": consumer,
            "id": message.id,
            "topic": message.topic,
            "tags": decode(message.tags),
            "keys": decode(message.keys),
            "body": message.body,
            "queue": message.queue_id,
            "offset": message.queue_offset,
            "run": decode(message.get_property("run")),
            "seq": int(decode(message.get_property("seq")) or -1),
            "note": decode(message.get_property("note")),
            "reconsume": message.reconsume_times,
            "born": message.born_timestamp,
            "stored": message.store_timestamp,
        }
        with self.lock:
            self.items.append(item)
        emit(f"RECV {consumer} {item['id']} {item['queue']} {item['offset']} {item['run']} {item['seq']}")

    def snapshot(self):
        with self.lock:
            return list(self.items)

    def of_run(self, run, consumer=None):
        return [item for item in self.snapshot()
                if item["run"] == run and (consumer is None or item["consumer"] == consumer)]

    def distinct(self, run, consumer=None):
        return {item["seq"] for item in self.of_run(run, consumer)}


def start_push_consumer(namesrv, group, topic, received, name, model=MessageModel.CLUSTERING, expression="*"):
    """A push consumer with its own instance name (so its own client factory and client id)."""
    consumer = PushConsumer(group, message_model=model)
    consumer.set_namesrv_addr(namesrv)
    consumer.set_instance_name(name)
    consumer.set_thread_count(2)
    consumer.subscribe(topic, lambda message: received.record(name, message), expression)
    consumer.start()
    return consumer


def check_fields(item, topic, run, sent=None):
    """The received message is the one sent as `run`/`item.seq`: body, keys, tags, properties."""
    seq = item["seq"]
    what = f"{item['consumer']} got {run}/{seq}"
    check(item["topic"] == topic, f"{what}: topic {item['topic']!r}")
    want = body_for(run, seq).encode()
    check(item["body"] == want, f"{what}: body of {len(item['body'])} bytes {item['body'][:60]!r}…, "
                                f"want {len(want)} bytes {want[:60]!r}…")
    check(item["keys"] == keys_for(run, seq), f"{what}: keys {item['keys']!r}")
    check(item["tags"] == tags_for(seq), f"{what}: tags {item['tags']!r}")
    check(item["note"] == "user property \u00fc=1 b", f"{what}: property note {item['note']!r}")
    check(item["reconsume"] == 0, f"{what}: reconsume_times {item['reconsume']}")
    check(item["born"] > 0 and item["stored"] >= item["born"] - 60_000, f"{what}: timestamps {item['born']} {item['stored']}")
    check(MSG_ID.match(item["id"] or ""), f"{what}: id {item['id']!r}")
    if sent is not None and seq in sent:
        msg_id, offset = sent[seq]
        check(item["id"] == msg_id, f"{what}: id {item['id']} but send_sync said {msg_id}")
        check(item["offset"] == offset, f"{what}: queue offset {item['offset']} but send_sync said {offset}")


def duplicates(items):
    """(run, seq) → times received, for those received more than once."""
    counts = {}
    for item in items:
        key = (item["run"], item["seq"])
        counts[key] = counts.get(key, 0) + 1
    return {key: count for key, count in counts.items() if count > 1}


def pull_all(namesrv, group, topic, expression="*"):
    """A PullConsumer reading every queue of `topic` from offset 0 to its end."""
    PullConsumer.offset_table = {}  # the wrapper keeps offsets in a class attribute
    consumer = PullConsumer(group)
    consumer.set_namesrv_addr(namesrv)
    consumer.start()
    try:
        items = []
        for message in consumer.pull(topic, expression):
            items.append({
                "id": message.id, "topic": message.topic, "tags": decode(message.tags),
                "keys": decode(message.keys), "body": message.body, "queue": message.queue_id,
                "offset": message.queue_offset, "run": decode(message.get_property("run")),
                "seq": int(decode(message.get_property("seq")) or -1),
                "note": decode(message.get_property("note")), "reconsume": message.reconsume_times,
                "born": message.born_timestamp, "stored": message.store_timestamp, "consumer": "pull",
            })
            emit(f"PULLED {message.id} {message.queue_id} {message.queue_offset} {items[-1]['run']} {items[-1]['seq']}")
        return items
    finally:
        consumer.shutdown()
