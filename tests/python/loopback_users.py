#!/usr/bin/python3
"""Run from a non-loopback address: guest (a loopback user) is refused with 403, another user gets in.

    loopback_users.py HOST PORT USER PASSWORD     exit 0 and print OK on success
"""
import sys

import pika
import pika.exceptions


def params(host, port, user, password):
    return pika.ConnectionParameters(host=host, port=int(port), credentials=pika.PlainCredentials(user, password),
                                     connection_attempts=1, socket_timeout=10)


def main(host, port, user, password):
    try:
        pika.BlockingConnection(params(host, port, "guest", "guest")).close()
        print("FAIL guest connected from a non-loopback address", flush=True)
        sys.exit(1)
    except pika.exceptions.ProbableAccessDeniedError as e:
        print("guest refused: %r" % (e,), flush=True)
    except pika.exceptions.AMQPConnectionError as e:
        # pika reports a close during the handshake in several shapes; the 403 itself is checked in the text
        if "403" not in repr(e) and "ACCESS_REFUSED" not in repr(e):
            print("FAIL guest not refused with 403: %r" % (e,), flush=True)
            sys.exit(1)
        print("guest refused: %r" % (e,), flush=True)
    connection = pika.BlockingConnection(params(host, port, user, password))
    connection.channel().queue_declare("", exclusive=True)
    connection.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
