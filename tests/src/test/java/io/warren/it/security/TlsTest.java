package io.warren.it.security;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;
import com.rabbitmq.client.GetResponse;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.PythonScripts;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * AMQPS and management HTTPS with a PKI made at test time: PLAIN over TLS, SASL EXTERNAL from the client
 * certificate's CN (Java client and pika), a client certificate from an untrusted CA refused in the handshake,
 * TLS 1.2+ only, and a rotated server certificate picked up by new connections without a restart.
 * Warren only: the suite does not configure TLS on an external broker.
 */
class TlsTest {
    @TempDir
    static Path tmp;
    static TestCertificates pki;
    static BrokerUnderTest broker;
    static int amqpsPort;
    static int httpsPort;

    @BeforeAll
    static void start() throws Exception {
        assumeFalse(BrokerUnderTest.isExternalMode(), "TLS is configured on Warren only");
        pki = TestCertificates.create(tmp.resolve("pki"));
        amqpsPort = freePort();
        httpsPort = freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("warren.amqp.tls.enabled", "true");
        settings.put("warren.amqp.tls.port", String.valueOf(amqpsPort));
        settings.put("warren.tls.certificate", pki.file("server.pem").toString());
        settings.put("warren.tls.private-key", pki.file("server.key").toString());
        settings.put("warren.tls.ca-certificates", pki.file("ca.pem").toString());
        settings.put("warren.tls.verify-peer", "true");
        settings.put("warren.tls.reload-check-interval", "500ms");
        settings.put("warren.management.enabled", "true");
        settings.put("warren.management.port", String.valueOf(httpsPort));
        settings.put("warren.management.tls.enabled", "true");
        broker = BrokerUnderTest.startWarren("tls", settings, """
                warren.auth-mechanisms = [PLAIN, AMQPLAIN, EXTERNAL]
                warren.users = [
                  { name = guest, password = guest, vhosts = ["/"], tags = [administrator] }
                  { name = tls-user, password = "not-used-with-EXTERNAL-%d", vhosts = ["/"] }
                ]
                """.formatted(System.nanoTime()));
        awaitPort(amqpsPort);
        awaitPort(httpsPort);
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    private static ConnectionFactory tlsFactory(Path clientP12) throws Exception {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setPort(amqpsPort);
        factory.useSslProtocol(pki.clientContext(clientP12));
        factory.enableHostnameVerification();
        return factory;
    }

    @Test
    void plainLoginOverTlsCarriesMessages() throws Exception {
        try (Connection connection = tlsFactory(null).newConnection()) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            byte[] body = "over TLS".getBytes(StandardCharsets.UTF_8);
            channel.basicPublish("", queue, null, body);
            GetResponse got = Amqp.awaitGet(channel, queue);
            assertArrayEquals(body, got.getBody());
        }
    }

    @Test
    void onlyTls12AndNewerAreSpoken() throws Exception {
        SSLContext context = pki.clientContext(null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", amqpsPort), 5000);
            socket.startHandshake();
            String protocol = socket.getSession().getProtocol();
            assertTrue(protocol.equals("TLSv1.3") || protocol.equals("TLSv1.2"), protocol);
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", amqpsPort), 5000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
        }
    }

    @Test
    void externalLogsInAsTheCertificatesCommonName() throws Exception {
        ConnectionFactory factory = tlsFactory(pki.client("java-client", "tls-user", "ca"));
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        try (Connection connection = factory.newConnection()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            // user-id must name the connection's user: proof of who EXTERNAL logged us in as
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().userId("tls-user").build(), new byte[] {1});
            channel.waitForConfirmsOrDie(10_000);
            assertEquals("tls-user", Amqp.awaitGet(channel, queue).getProps().getUserId());
            Amqp.assertChannelClosedBy(406, channel, () -> {
                channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().userId("guest").build(), new byte[] {2});
                channel.waitForConfirmsOrDie(10_000);
            });
        }
    }

    @Test
    void externalIsOfferedOnlyWithAClientCertificate() throws Exception {
        ConnectionFactory factory = tlsFactory(null);
        factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
        Exception refused = assertThrows(Exception.class, factory::newConnection);
        assertTrue(String.valueOf(refused.getMessage()).contains("EXTERNAL") || refused instanceof IOException, refused.toString());
    }

    @Test
    void clientCertificateFromAnUntrustedCaIsRefused() throws Exception {
        try (Connection bystander = tlsFactory(null).newConnection()) {
            ConnectionFactory factory = tlsFactory(pki.client("rogue-client", "tls-user", "rogue-ca"));
            factory.setSaslConfig(DefaultSaslConfig.EXTERNAL);
            try (Connection unexpected = factory.newConnection()) {
                fail("a certificate from an untrusted CA was accepted: " + unexpected);
            } catch (IOException | java.util.concurrent.TimeoutException expected) {
                // the handshake fails: javax.net.ssl.SSLHandshakeException or a closed socket
            }
            Amqp.assertUsable(bystander);
        }
        String line = "client certificate CN=tls-user,O=Warren tests refused: PKIX path building failed";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!broker.output().contains(line) && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(broker.output().contains(line), "no log line for the refused certificate");
    }

    @Test
    void pikaOverTlsWithExternal() throws Exception {
        PythonScripts.assumePikaAvailable();
        Path client = pki.client("pika-client", "tls-user", "ca");
        Path rogue = pki.client("pika-rogue", "tls-user", "rogue-ca");
        PythonScripts.runWithPort(broker, amqpsPort, "tls_external.py", 60, pki.file("ca.pem").toString(),
                pki.file("pika-client.pem").toString(), pki.file("pika-client.key").toString(),
                pki.file("pika-rogue.pem").toString(), pki.file("pika-rogue.key").toString());
        assertNotNull(client);
        assertNotNull(rogue);
    }

    @Test
    void managementSpeaksHttps() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(pki.clientContext(null)).connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/api/overview"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        try (Socket plain = new Socket("127.0.0.1", httpsPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("GET /api/overview HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = plain.getInputStream().readNBytes(5);
            assertNotEquals("HTTP/", new String(answer, StandardCharsets.US_ASCII), "plain HTTP answered on the HTTPS port");
        } catch (IOException closed) {
            // refused outright: fine
        }
    }

    @Test
    void rotatedServerCertificateIsUsedByNewConnectionsWithoutRestart() throws Exception {
        BigInteger before = serverSerial();
        pki.reissueServer("localhost");
        BigInteger expected = TestCertificates.certificate(pki.file("server.pem")).getSerialNumber();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        BigInteger now = before;
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = serverSerial();
        }
        assertEquals(expected, now, "new connections still get the old certificate");
        try (Connection connection = tlsFactory(null).newConnection()) {
            Amqp.assertUsable(connection);
        }
    }

    private static BigInteger serverSerial() throws Exception {
        try (SSLSocket socket = (SSLSocket) pki.clientContext(null).getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", amqpsPort), 5000);
            socket.startHandshake();
            return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        fail("port " + port + " never opened:\n" + broker.output());
    }
}
