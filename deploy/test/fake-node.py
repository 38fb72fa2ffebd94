#!/usr/bin/env python3
"""A stand-in for one Warren node, so that local-cluster.sh can be tested before the broker runs.

It reads the same WARREN_* environment a real node gets, listens on the AMQP and remoting ports (accepts and
closes),
answers the management API's GET /api/queues with the queues named in FAKE_QUEUES (all owned by this
node), and Pekko Management's /ready and /alive. SIGTERM ends it like a JVM shutdown hook would.
"""
import json
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

node = os.environ["WARREN_NODE_NAME"]
amqp_port = int(os.environ["WARREN_AMQP_PORT"])
remote_port = int(os.environ["WARREN_REMOTE_PORT"])
management_port = int(os.environ["WARREN_MANAGEMENT_PORT"])
pekko_management_port = int(os.environ["WARREN_PEKKO_MANAGEMENT_PORT"])
queues = [q for q in os.environ.get("FAKE_QUEUES", "").split(",") if q]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.server.server_port == management_port and self.path == "/api/queues":
            body = json.dumps([{"name": f"{node}-{q}", "vhost": "/", "node": node,
                                "messages": 0, "consumers": 0} for q in queues]).encode()
            status = 200
        elif self.server.server_port == pekko_management_port and self.path in ("/ready", "/alive"):
            body, status = b"OK", 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def accept_and_close(port):
    listener = socket.create_server(("127.0.0.1", port))
    while True:
        connection, _ = listener.accept()
        connection.close()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for port in (management_port, pekko_management_port):
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    for port in (amqp_port, remote_port):
        threading.Thread(target=accept_and_close, args=(port,), daemon=True).start()
    print(f"fake {node} up: amqp {amqp_port}, management {management_port}, "
          f"pekko-management {pekko_management_port}, seeds {os.environ.get('WARREN_SEED_NODES')}", flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
