#!/usr/bin/python3
"""pika over TLS: SASL EXTERNAL with a client certificate (the user is its CN), PLAIN over TLS without one,
and a client certificate from a CA the broker does not trust refused during the handshake.

    tls_external.py HOST PORT CA_PEM CLIENT_PEM CLIENT_KEY ROGUE_PEM ROGUE_KEY     exit 0 and print OK on success
"""
import ssl
import sys

import pika
import pika.exceptions


def fail(message):
    print("FAIL " + message, flush=True)
    sys.exit(1)


def tls(ca, cert=None, key=None):
    context = ssl.create_default_context(cafile=ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert:
        context.load_cert_chain(cert, key)
    return pika.SSLOptions(context, "localhost")


def params(host, port, ssl_options, credentials):
    return pika.ConnectionParameters(host=host, port=port, ssl_options=ssl_options, credentials=credentials,
                                     connection_attempts=1, socket_timeout=10)


def round_trip(connection, user_id):
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.confirm_delivery()
    channel.basic_publish("", queue, b"tls", pika.BasicProperties(user_id=user_id))
    method, properties, body = None, None, None
    for _ in range(50):
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method:
            break
        connection.sleep(0.1)
    if body != b"tls" or properties.user_id != user_id:
        fail("round trip over TLS returned %r %r" % (body, properties))


def main(host, port, ca, cert, key, rogue_cert, rogue_key):
    port = int(port)
    connection = pika.BlockingConnection(params(host, port, tls(ca, cert, key), pika.credentials.ExternalCredentials()))
    round_trip(connection, "tls-user")
    connection.close()

    connection = pika.BlockingConnection(params(host, port, tls(ca), pika.PlainCredentials("guest", "guest")))
    round_trip(connection, "guest")
    connection.close()

    try:
        pika.BlockingConnection(params(host, port, tls(ca, rogue_cert, rogue_key), pika.credentials.ExternalCredentials()))
        fail("a client certificate from an untrusted CA was accepted")
    except pika.exceptions.AMQPError:
        pass
    except (ssl.SSLError, OSError):
        pass
    print("OK", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:8])
