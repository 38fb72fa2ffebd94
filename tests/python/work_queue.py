#!/usr/bin/python3
"""Work queue with pika: N persistent messages, 3 consumers (manual ack, prefetch 1), one of which dies
abruptly (os._exit) after receiving a message and before acking it. The broker must hand that message
to a surviving consumer with redelivered=True, and every message must be processed at least once.

    work_queue.py HOST PORT [N]          run the scenario; exit 0 and print OK on success
    work_queue.py consume HOST PORT QUEUE ROLE   (internal) one consumer process, ROLE = crash|work
"""
import os
import subprocess
import sys
import time
import uuid

import pika

IDLE_SECONDS = 3


def connect(host, port):
    return pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=int(port), credentials=pika.PlainCredentials("guest", "guest"),
        heartbeat=10, blocked_connection_timeout=30, connection_attempts=3, retry_delay=1))


def consume(host, port, queue, role):
    connection = connect(host, port)
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1)
    out = sys.stdout
    consuming = channel.consume(queue, auto_ack=False, inactivity_timeout=IDLE_SECONDS)
    print("ready", flush=True)
    for method, properties, body in consuming:
        if method is None:  # idle: the work is done
            break
        out.write("got %s %s\n" % (body.decode(), method.redelivered))
        out.flush()
        if role == "crash":
            os._exit(3)  # no ack, no close: the broker sees the socket die
        time.sleep(0.02)  # some work, so that the three consumers share the load
        channel.basic_ack(method.delivery_tag)
        out.write("ack %s\n" % body.decode())
        out.flush()
    channel.cancel()
    connection.close()


def main(host, port, count):
    queue = "it.py.work." + uuid.uuid4().hex[:8]
    connection = connect(host, port)
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)

    roles = ["crash", "work", "work"]
    workers = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "consume", host, str(port), queue, role],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for role in roles]
    # Publish only when all three consume, so that round robin gives the crasher a message.
    for worker in workers:
        line = worker.stdout.readline().strip()
        if line != "ready":
            fail("consumer did not start: %r %s" % (line, worker.stdout.read()))

    channel.confirm_delivery()
    for i in range(count):
        channel.basic_publish("", queue, str(i).encode(),
                              pika.BasicProperties(delivery_mode=2), mandatory=True)

    outputs = []
    for worker, role in zip(workers, roles):
        try:
            text, _ = worker.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            for w in workers:
                w.kill()
            fail("consumer (%s) did not finish" % role)
        outputs.append(text)
        expected = 3 if role == "crash" else 0
        if worker.returncode != expected:
            fail("consumer (%s) exited with %s, expected %s:\n%s" % (role, worker.returncode, expected, text))

    crashed_with = [line.split()[1] for line in outputs[0].splitlines() if line.startswith("got ")]
    if len(crashed_with) != 1:
        fail("the crashing consumer should have received exactly one message: %r" % outputs[0])
    lost = crashed_with[0]

    acked, redelivered = set(), set()
    for text in outputs[1:]:
        for line in text.splitlines():
            parts = line.split()
            if parts[0] == "ack":
                acked.add(parts[1])
            elif parts[0] == "got" and parts[2] == "True":
                redelivered.add(parts[1])
    missing = sorted(set(str(i) for i in range(count)) - acked, key=int)
    if missing:
        fail("never processed: %s" % missing)
    if lost not in redelivered:
        fail("message %s from the crashed consumer was not redelivered with redelivered=True (flagged: %s)"
             % (lost, sorted(redelivered)))
    if channel.queue_declare(queue, passive=True).method.message_count != 0:
        fail("queue not empty at the end")
    channel.queue_delete(queue)
    connection.close()
    print("OK %d messages, message %s redelivered after its consumer died, per-consumer acks: %s"
          % (count, lost, [t.count("ack ") for t in outputs[1:]]))


def fail(message):
    print("FAIL " + message, flush=True)
    sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "consume":
        consume(*sys.argv[2:6])
    else:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 60)
