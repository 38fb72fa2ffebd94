#!/usr/bin/python3
"""Declares N durable queues (idle-0 .. idle-N-1) from several connections at once, and reports the rate.

Each durable declare waits for two journal writes (the vhost topology and the queue itself); one channel doing them
one after another measures journal latency, not memory. Usage: declare_queues.py PORT N [CONNECTIONS] (default 8).
"""
import sys
import threading
import time

import pika

port, count = int(sys.argv[1]), int(sys.argv[2])
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 8
done = [0]
lock = threading.Lock()
errors = []


def declare(first):
    try:
        conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port, heartbeat=0,
                                                                 blocked_connection_timeout=300))
        ch = conn.channel()
        for i in range(first, count, connections):
            ch.queue_declare(queue=f"idle-{i}", durable=True)
            with lock:
                done[0] += 1
        conn.close()
    except Exception as e:  # reported below: a silent short count would make the heap figure wrong
        errors.append(repr(e))


start = time.time()
threads = [threading.Thread(target=declare, args=(t,)) for t in range(connections)]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    time.sleep(10)
    print(f"declared {done[0]} queues ({done[0] / (time.time() - start):.0f}/s)", flush=True)
if errors or done[0] != count:
    print(f"FAILED: declared {done[0]} of {count}: {errors[:3]}", flush=True)
    sys.exit(1)
print(f"declared {count} queues in {time.time() - start:.1f} s over {connections} connections", flush=True)
