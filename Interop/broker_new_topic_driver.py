"""A topic auto-created by a send is routable as soon as that send is answered.

Java's broker, creating a topic on SEND_MESSAGE (TopicConfigManager.createTopicInSendMessageMethod),
registers with every name server (registerBrokerAll, oneway) before it answers the send. So a client
that asks for the route right after the first SEND_OK finds it; a consumer that finds none waits for
its 30 s route poll and 10 s rebalance (and a broadcasting consumer then starts at the queues' end,
missing what was sent meanwhile). For --topics new topics: send_sync the first message, then at once
ask the name server for the route (GET_ROUTEINFO_BY_TOPIC, on an open connection, as a client
has); for the first --consumers of them also start a push consumer of a new group at once, which
must get that message within --within seconds. Prints
`NEW <topic> route=<present|missing> [received=<seconds|never>]` lines and `OK ...`.
"""
import argparse
import os
import time

from broker_common import (
    check, emit, run_main, send_sync, start_producer, start_push_consumer, wait_for, NameServerConnection, Received,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namesrv", required=True)
    parser.add_argument("--topic-prefix", required=True)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--within", type=float, default=3)
    args = parser.parse_args()
    tag = str(os.getpid())

    producer = start_producer(args.namesrv, "NewTopic_PG")
    namesrv = NameServerConnection(args.namesrv)
    missing, late, consumers = [], [], []
    for index in range(args.topics):
        topic = f"{args.topic_prefix}{tag}_{index}"
        run = f"new{index}"
        send_sync(producer, topic, run, 0)
        route = namesrv.route_known(topic)
        line = f"NEW {topic} route={'present' if route else 'missing'}"
        if not route:
            missing.append(topic)
        if index < args.consumers:
            received = Received()
            started = time.monotonic()
            consumers.append(start_push_consumer(args.namesrv, f"NewTopic_CG{index}", topic, received, f"n{index}-{tag}"))
            got = wait_for(lambda: received.distinct(run) == {0}, args.within)
            line += f" received={time.monotonic() - started:.2f}" if got else " received=never"
            if not got:
                late.append(topic)
        emit(line)
    namesrv.close()
    for consumer in consumers:
        consumer.shutdown()
    producer.shutdown()
    check(not missing and not late,
          f"right after the SEND_OK that created it, the name server had no route for {len(missing)} of {args.topics} "
          f"new topics {missing[:5]}, and {len(late)} of {min(args.consumers, args.topics)} consumers started then "
          f"did not get the topic's message within {args.within} s {late}: the broker must register a topic it "
          f"creates on a send with the name servers before it answers the send, as Java's does")
    emit(f"OK topics={args.topics}")


if __name__ == "__main__":
    run_main(main)
