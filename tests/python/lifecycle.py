#!/usr/bin/python3
"""Connection lifecycle with pika: connect, many channels, channel close/reopen, heartbeats kept alive
while idle, publish/get round trip, authentication failure, unknown vhost.

    lifecycle.py HOST PORT       exit 0 and print OK on success
"""
import sys
import uuid

import pika
import pika.exceptions


def params(host, port, user="guest", password="guest", vhost="/", heartbeat=2):
    return pika.ConnectionParameters(host=host, port=port, virtual_host=vhost, heartbeat=heartbeat,
                                     credentials=pika.PlainCredentials(user, password),
                                     connection_attempts=1, socket_timeout=10)


def fail(message):
    print("FAIL " + message, flush=True)
    sys.exit(1)


def main(host, port):
    connection = pika.BlockingConnection(params(host, port))
    if not connection.is_open:
        fail("connection not open")
    server = connection._impl.server_properties
    capabilities = server.get("capabilities", {})
    for capability in ("publisher_confirms", "basic.nack", "consumer_cancel_notify"):
        if capabilities.get(capability) is not True:
            fail("capability %s missing: %r" % (capability, capabilities))

    channels = [connection.channel() for _ in range(50)]
    if len({ch.channel_number for ch in channels}) != 50:
        fail("channel numbers not unique")
    for ch in channels:
        ch.close()
    if any(ch.is_open for ch in channels):
        fail("closed channels still open")

    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    if not queue.startswith("amq.gen-"):
        fail("server-named queue: " + queue)

    # A channel error closes only that channel; a new channel works.
    try:
        channel.queue_declare("it.py.missing." + uuid.uuid4().hex, passive=True)
        fail("passive declare of a missing queue succeeded")
    except pika.exceptions.ChannelClosedByBroker as closed:
        if closed.reply_code != 404:
            fail("expected 404, got %s" % closed)
    channel = connection.channel()

    # Heartbeat 2 s negotiated; idle 6 s (sleep keeps pika's I/O loop, and so its heartbeats, running).
    connection.sleep(6)
    if not connection.is_open:
        fail("connection died while idle with heartbeats")
    channel.basic_publish("", queue, b"ping")
    for _ in range(50):
        method, _, body = channel.basic_get(queue, auto_ack=True)
        if method:
            break
        connection.sleep(0.05)
    if body != b"ping":
        fail("round trip after idle: %r" % body)
    connection.close()
    if connection.is_open:
        fail("connection still open after close")

    try:
        pika.BlockingConnection(params(host, port, password="wrong"))
        fail("bad password accepted")
    except pika.exceptions.ProbableAuthenticationError as refused:
        if "ACCESS_REFUSED" not in str(refused):
            fail("auth failure without ACCESS_REFUSED: %r" % refused)

    try:
        pika.BlockingConnection(params(host, port, vhost="/no-such-vhost-" + uuid.uuid4().hex))
        fail("missing vhost accepted")
    except pika.exceptions.ConnectionClosedByBroker as closed:
        if closed.reply_code != 530:
            fail("expected 530 NOT_ALLOWED, got %r" % closed)
    except pika.exceptions.AMQPConnectionError as error:
        # pika wraps a close during the handshake; the reply code is in the first argument
        if "530" not in repr(error):
            fail("expected 530 NOT_ALLOWED, got %r" % error)
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
