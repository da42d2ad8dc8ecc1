"""Shared helpers for the semantics drivers (delay, retry/DLQ, orderly, transactions); not a driver.

Builds on broker_common (same line protocol: SENT/RECV/ROUTE/…/OK/FAIL); the semantics drivers add:

    WARM <seconds>                           a new consumer got the warm-up message (it is pulling)
    DELAYED <run>/<seq> <level> <seconds> …  a delayed message and how long after its send it arrived
    DELIVERY <group> <run>/<seq> <n> <reconsume> <queueId> <queueOffset> <seconds> <retryTopic>
                                             one delivery to a consumer that answers RECONSUME_LATER
    DLQ <group> <msgId> <queueId> <queueOffset> <run>/<seq> reconsume=<n>   a message in %DLQ%<group>
    ORDER <run> <consumer> <key> <n,…>       what an orderly consumer got of one sharding key, in order
    HANDOVER / QUEUE / REDELIVERED / LOCK / LOCKSEM   orderly queue handover and LOCK_BATCH_MQ results
    HALF / CHECK <run>/<seq> <n> <answer> … / PARKED  transaction half messages, check-backs, dropped ones
"""
import time

from rocketmq.client import PushConsumer, RecvMessage
from rocketmq.exceptions import ffi_check
from rocketmq.ffi import MSG_CALLBACK_FUNC, dll

from broker_common import DriverFailure, decode, emit, route_known, wait_for

CONSUME_SUCCESS = 0
RECONSUME_LATER = 1


def message_fields(message, received_at):
    """What a callback reads of a RecvMessage (it is only valid during the callback)."""
    def prop(name):
        value = decode(message.get_property(name))
        return value if value else None  # the C++ core answers "" for a property the message lacks

    seq = prop("seq")
    return {
        "at": received_at,
        "id": message.id,
        "topic": message.topic,
        "tags": decode(message.tags),
        "keys": decode(message.keys),
        "body": message.body,
        "queue": message.queue_id,
        "offset": message.queue_offset,
        "run": prop("run"),
        "seq": int(seq) if seq else -1,
        "note": prop("note"),
        "reconsume": message.reconsume_times,
        "born": message.born_timestamp,
        "stored": message.store_timestamp,
        "delay": prop("DELAY"),
        "retry_topic": prop("RETRY_TOPIC"),
        "origin_id": prop("ORIGIN_MESSAGE_ID"),
        "key": prop("shard"),
        "real_topic": prop("REAL_TOPIC"),
        "real_qid": prop("REAL_QID"),
        "tran_msg": prop("TRAN_MSG"),
        "pgroup": prop("PGROUP"),
    }


def start_raw_push_consumer(namesrv, group, topic, name, on_message, orderly=False, threads=2, expression="*"):
    """A PushConsumer whose callback's return value goes to the C++ core as it is (CONSUME_SUCCESS 0,
    RECONSUME_LATER 1): the wrapper's `subscribe` turns an exception into RECONSUME_LATER but then
    re-raises it inside a ctypes callback, which is not reliable, so this registers the callback through
    the FFI itself. `on_message(RecvMessage)` returns the status; an exception counts as RECONSUME_LATER."""
    consumer = PushConsumer(group, orderly=orderly)
    consumer.set_namesrv_addr(namesrv)
    consumer.set_instance_name(name)
    consumer.set_thread_count(threads)

    def callback(_consumer, handle):
        try:
            return int(on_message(RecvMessage(handle)))
        except Exception as error:  # never let an exception cross the C boundary
            emit(f"ERROR callback: {type(error).__name__}: {error}")
            return RECONSUME_LATER

    function = MSG_CALLBACK_FUNC(callback)
    consumer._callback_refs.append(function)  # keep it alive as long as the consumer
    ffi_check(dll.Subscribe(consumer._handle, topic.encode(), expression.encode()))
    register = dll.RegisterMessageCallbackOrderly if orderly else dll.RegisterMessageCallback
    ffi_check(register(consumer._handle, function))
    consumer.start()
    return consumer


def await_warm_up(items, lock, warm, timeout=20):
    """Waits until a consumer got the warm-up message of run `warm` (so it is pulling); prints
    WARM <seconds>."""
    started = time.monotonic()

    def arrived():
        with lock:
            return any(item["run"] == warm for item in items)

    if not wait_for(arrived, timeout):
        raise DriverFailure(f"the push consumer did not get the warm-up message within {timeout} s")
    emit(f"WARM {time.monotonic() - started:.3f}")


def await_route_quietly(namesrv, topic, timeout):
    """Seconds until the name server routed `topic`, or None if it did not within `timeout`."""
    started = time.monotonic()
    if wait_for(lambda: route_known(namesrv, topic), timeout, interval=0.05):
        return time.monotonic() - started
    return None
