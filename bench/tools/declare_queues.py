#!/usr/bin/python3
"""Declares N durable queues (idle-0 .. idle-N-1) on one connection, pipelined in blocks, and reports the rate."""
import sys
import time

import pika

port, count = int(sys.argv[1]), int(sys.argv[2])
conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port, heartbeat=0,
                                                         blocked_connection_timeout=300))
ch = conn.channel()
start = time.time()
for i in range(count):
    ch.queue_declare(queue=f"idle-{i}", durable=True)
    if i and i % 10000 == 0:
        print(f"declared {i} queues ({i / (time.time() - start):.0f}/s)", flush=True)
print(f"declared {count} queues in {time.time() - start:.1f} s", flush=True)
conn.close()
