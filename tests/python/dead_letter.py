#!/usr/bin/python3
"""Dead-letter workflow with pika: a work queue whose consumer fails some messages (basic.nack,
requeue=False). The broker dead-letters them through the queue's x-dead-letter-exchange into a
dead-letter queue; an operator step inspects each one's x-death header, re-publishes it to the work
queue (headers kept, so the retry is recognisable), and the consumer then processes it.

    dead_letter.py HOST PORT [N]     run the scenario; exit 0 and print OK on success
"""
import sys
import uuid

import pika

IDLE_SECONDS = 1.5


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def drain_work_queue(channel, queue, processed, failed):
    """Consumes until the queue stays idle: first attempts of odd jobs fail, everything else succeeds."""
    for method, properties, body in channel.consume(queue, auto_ack=False, inactivity_timeout=IDLE_SECONDS):
        if method is None:
            break
        job = body.decode()
        headers = properties.headers or {}
        retried = "x-death" in headers
        if int(job.split("-")[1]) % 2 == 1 and not retried:
            failed.append(job)
            channel.basic_nack(method.delivery_tag, requeue=False)
        else:
            if job in processed:
                fail("processed twice: " + job)
            processed[job] = retried
            channel.basic_ack(method.delivery_tag)
    channel.cancel()


def main(host, port, count):
    suffix = uuid.uuid4().hex[:8]
    work, dlq, dlx = "it.py.work." + suffix, "it.py.dlq." + suffix, "it.py.dlx." + suffix
    connection = pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=int(port), credentials=pika.PlainCredentials("guest", "guest"), heartbeat=10))
    channel = connection.channel()
    channel.exchange_declare(dlx, "direct")
    channel.queue_declare(dlq)
    channel.queue_bind(dlq, dlx, "failed")
    channel.queue_declare(work, arguments={"x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "failed"})
    channel.basic_qos(prefetch_count=5)
    channel.confirm_delivery()
    jobs = ["job-%d" % i for i in range(count)]
    for job in jobs:
        channel.basic_publish("", work, job.encode(), pika.BasicProperties(
            delivery_mode=2, message_id=job, headers={"origin": "producer"}))

    processed, failed = {}, []
    drain_work_queue(channel, work, processed, failed)
    expected_failures = [j for j in jobs if int(j.split("-")[1]) % 2 == 1]
    if sorted(failed) != sorted(expected_failures):
        fail("failed %s, expected %s" % (failed, expected_failures))

    # Operator step: inspect each dead letter and send it back for another attempt.
    inspected = []
    while True:
        method, properties, body = channel.basic_get(dlq, auto_ack=False)
        if method is None:
            break
        headers = properties.headers or {}
        deaths = headers.get("x-death")
        if not deaths or len(deaths) != 1:
            fail("x-death missing or wrong: %r" % headers)
        death = deaths[0]
        checks = {
            "reason": (text(death.get("reason")), "rejected"),
            "queue": (text(death.get("queue")), work),
            "count": (death.get("count"), 1),
            "exchange": (text(death.get("exchange")), ""),
            "routing-keys": ([text(k) for k in death.get("routing-keys", [])], [work]),
            "x-first-death-reason": (text(headers.get("x-first-death-reason")), "rejected"),
            "x-first-death-queue": (text(headers.get("x-first-death-queue")), work),
            "origin": (text(headers.get("origin")), "producer"),
            "message_id": (properties.message_id, body.decode()),
            "routing key": (method.routing_key, "failed"),
            "exchange of delivery": (method.exchange, dlx),
        }
        for name, (got, want) in checks.items():
            if got != want:
                fail("dead letter %s: %s is %r, expected %r" % (body.decode(), name, got, want))
        if "time" not in death:
            fail("x-death has no time: %r" % death)
        inspected.append(body.decode())
        channel.basic_publish("", work, body, pika.BasicProperties(
            delivery_mode=2, message_id=properties.message_id, headers=headers))
        channel.basic_ack(method.delivery_tag)
    if sorted(inspected) != sorted(expected_failures):
        fail("dead-letter queue held %s, expected %s" % (inspected, expected_failures))

    drain_work_queue(channel, work, processed, failed)
    if sorted(processed) != sorted(jobs):
        fail("processed %s, expected %s" % (sorted(processed), jobs))
    retried = sorted(j for j, was_retry in processed.items() if was_retry)
    if retried != sorted(expected_failures):
        fail("retried %s, expected %s" % (retried, expected_failures))
    for queue in (work, dlq):
        left = channel.queue_declare(queue, passive=True).method.message_count
        if left:
            fail("%s still holds %d messages" % (queue, left))

    channel.queue_delete(work)
    channel.queue_delete(dlq)
    channel.exchange_delete(dlx)
    connection.close()
    print("OK: %d jobs, %d dead-lettered, inspected and retried" % (len(jobs), len(expected_failures)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        fail(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10)
