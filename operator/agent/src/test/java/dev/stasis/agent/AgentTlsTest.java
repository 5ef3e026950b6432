package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.agent.v1.GetJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent's gRPC server with the serving keys the chart's Secret can hold, over real TLS: Helm's
 * PKCS#1 RSA key, cert-manager's PKCS#8 keys, SEC1 EC keys; and a renewed Secret.
 */
class AgentTlsTest {
  @TempDir Path tmp;
  AgentFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new AgentFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Starts the agent serving {@code pem}, the client trusting {@code ca}. */
  private void serve(PemKeys.PemFiles pem, Path ca) throws IOException {
    Map<String, String> env = f.env();
    env.put("STASIS_AGENT_TLS_CERT", pem.cert().toString());
    env.put("STASIS_AGENT_TLS_KEY", pem.key().toString());
    f.clientCa = ca;
    f.start(env);
  }

  /** The certificate the agent presents in a fresh TLS handshake (ALPN h2, as gRPC asks). */
  private X509Certificate served(Path ca) throws IOException {
    try (SSLSocket s =
        (SSLSocket) Tls.trusting(ca).getSocketFactory().createSocket("localhost", f.agent.port())) {
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  /** A call over the fixture's gRPC channel; NOT_FOUND means TLS and the token both passed. */
  private Status.Code call() {
    try {
      f.operator().getJob(GetJobRequest.newBuilder().setJobId("no-such-job").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @ParameterizedTest
  @EnumSource(PemKeys.Format.class)
  void servesEveryKeyEncodingTheSecretCanHold(PemKeys.Format format) throws Exception {
    PemKeys.Issued issued = PemKeys.issue(format.algorithm);
    PemKeys.PemFiles pem = issued.written(tmp.resolve("tls-" + format), format);
    serve(pem, pem.ca());
    assertThat(served(pem.ca())).isEqualTo(issued.cert());
    assertThat(call()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void keysItCannotUseStopTheAgentWithAMessage() throws Exception {
    PemKeys.Issued rsa = PemKeys.issue("RSA");
    PemKeys.PemFiles pem = rsa.written(tmp.resolve("tls"), PemKeys.Format.RSA_PKCS1);

    Files.writeString(pem.key(), PemKeys.encryptedPem(rsa.keys().getPrivate()));
    assertThatThrownBy(() -> serve(pem, pem.ca()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(pem.key().toString())
        .hasMessageContaining("encrypted");

    // The key of another certificate (a renewal that replaced only one file).
    PemKeys.Issued other = PemKeys.issue("RSA");
    Files.writeString(
        pem.key(), PemKeys.keyPem(other.keys().getPrivate(), PemKeys.Format.RSA_PKCS1));
    assertThatThrownBy(() -> serve(pem, pem.ca()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not belong to the certificate");

    // An EC key next to an RSA certificate.
    Files.writeString(
        pem.key(),
        PemKeys.keyPem(PemKeys.issue("EC").keys().getPrivate(), PemKeys.Format.EC_PKCS8));
    assertThatThrownBy(() -> serve(pem, pem.ca()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not belong to the certificate");

    // The certificate where the key should be.
    Files.writeString(pem.key(), PemKeys.pem(rsa.cert()));
    assertThatThrownBy(() -> serve(pem, pem.ca()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no private key in " + pem.key());
  }

  @Test
  void aRenewedSecretIsServedWithoutARestartAndAHalfWrittenOneIsNot() throws Exception {
    PemKeys.Issued first = PemKeys.issue("EC");
    PemKeys.PemFiles pem = first.written(tmp.resolve("tls"), PemKeys.Format.EC_PKCS8);
    // cert-manager may renew with a new CA too; trust both, as an operator would during a change.
    PemKeys.Issued second = PemKeys.issue("RSA");
    Path bothCas = tmp.resolve("cas.crt");
    Files.writeString(
        bothCas, PemKeys.pem(first.ca()) + PemKeys.pem(second.ca()), StandardCharsets.US_ASCII);
    serve(pem, bothCas);
    assertThat(served(bothCas)).isEqualTo(first.cert());

    // Only the certificate replaced so far: it does not match the key, so the old pair stays.
    Files.writeString(pem.cert(), PemKeys.pem(second.cert()), StandardCharsets.US_ASCII);
    Thread.sleep(Agent.TLS_CHECK_INTERVAL.toMillis() + 300);
    assertThat(served(bothCas)).isEqualTo(first.cert());
    assertThat(call()).isEqualTo(Status.Code.NOT_FOUND);

    // Now the key (PKCS#1, as the chart's generated Secret would have it): the new pair is served.
    Files.writeString(
        pem.key(),
        PemKeys.keyPem(second.keys().getPrivate(), PemKeys.Format.RSA_PKCS1),
        StandardCharsets.US_ASCII);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    X509Certificate now = served(bothCas);
    while (!now.equals(second.cert()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = served(bothCas);
    }
    assertThat(now).isEqualTo(second.cert());
    // gRPC keeps working: a new channel handshakes with the renewed certificate.
    f.reconnect();
    assertThat(call()).isEqualTo(Status.Code.NOT_FOUND);
  }
}
