package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TLS of the agents' gRPC server: generated, kept across upgrades, or from cert-manager. */
class TlsTest {
  private static final String NS = ChartFixture.NAMESPACE;
  private static final String SERVER_NAME = "stasis-agent." + NS + ".svc";

  @AfterEach
  void forgetClusterState() {
    FakeApiServer.get().clear();
  }

  @Test
  void generatedCertificateIsForTheNameTheOperatorVerifiesAndSignedByTheCaItTrusts()
      throws Exception {
    ChartFixture.Rendered r = ChartFixture.renderDefaults();
    Secret secret = r.get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");

    X509Certificate cert = certificate(secret.getData().get("tls.crt"));
    X509Certificate ca = certificate(secret.getData().get("ca.crt"));
    cert.verify(ca.getPublicKey());
    ca.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).as("the CA is a CA").isGreaterThanOrEqualTo(0);
    assertThat(cert.getBasicConstraints()).as("the leaf is not").isEqualTo(-1);
    assertThat(cert.getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList())
        .containsExactly(SERVER_NAME);
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(cert.getNotAfter().toInstant())
        .isAfter(Instant.now().plus(3640, ChronoUnit.DAYS))
        .isBefore(Instant.now().plus(3660, ChronoUnit.DAYS));

    // The key is the certificate's key: sign with one, verify with the other.
    KeyPair key = keyPair(secret.getData().get("tls.key"));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key.getPrivate());
    signer.update("stasis".getBytes(StandardCharsets.UTF_8));
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update("stasis".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(signature)).isTrue();

    // Both sides agree on the name and the Secret.
    var operatorPod = Manifests.pod(Manifests.operator(r));
    assertThat(
            Manifests.value(
                Manifests.env(Manifests.only(operatorPod)), "STASIS_AGENT_TLS_SERVER_NAME"))
        .isEqualTo(SERVER_NAME);
    assertThat(Manifests.volumes(operatorPod).get("agent-ca").getSecret().getSecretName())
        .isEqualTo("stasis-agent-tls");
    assertThat(
            Manifests.volumes(Manifests.pod(Manifests.agent(r)))
                .get("tls")
                .getSecret()
                .getSecretName())
        .isEqualTo("stasis-agent-tls");
  }

  @Test
  void theChartAsksTheClusterForAnExistingSecret() {
    FakeApiServer.get().clear();
    ChartFixture.renderDefaults();
    assertThat(FakeApiServer.get().requests())
        .contains("GET /api/v1/namespaces/" + NS + "/secrets/stasis-agent-tls");
  }

  @Test
  void anUpgradeKeepsTheCertificateAlreadyInTheCluster() {
    Secret first =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    FakeApiServer.get().putSecret(NS, "stasis-agent-tls", ChartFixture.JSON.valueToTree(first));
    Secret second =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    assertThat(second.getData()).isEqualTo(first.getData());
  }

  @Test
  void withoutAnExistingSecretEachRenderMakesANewCa() {
    Secret first =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    Secret second =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    assertThat(second.getData().get("ca.crt")).isNotEqualTo(first.getData().get("ca.crt"));
  }

  @Test
  void anIncompleteSecretInTheClusterIsReplaced() {
    Secret first =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    JsonNode broken = ChartFixture.JSON.valueToTree(first);
    ((ObjectNode) broken.get("data")).remove("ca.crt");
    FakeApiServer.get().putSecret(NS, "stasis-agent-tls", broken);
    Secret second =
        ChartFixture.renderDefaults().get("Secret", NS, "stasis-agent-tls").as(Secret.class);
    assertThat(second.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(second.getData().get("tls.crt")).isNotEqualTo(first.getData().get("tls.crt"));
  }

  @Test
  void certManagerWithoutAnIssuerGetsASelfSignedCaChain() {
    ChartFixture.Rendered r = ChartFixture.render(Map.of("tls.certManager.enabled", true));
    assertThat(r.ofKind("Secret")).isEmpty();
    assertThat(r.ofKind("Issuer"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("stasis-selfsigned", "stasis-agent-ca");
    assertThat(r.ofKind("Certificate"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("stasis-agent-ca", "stasis-agent");

    JsonNode ca = r.get("Certificate", NS, "stasis-agent-ca").json().get("spec");
    assertThat(ca.get("isCA").asBoolean()).isTrue();
    assertThat(ca.at("/issuerRef/name").asText()).isEqualTo("stasis-selfsigned");
    assertThat(r.get("Issuer", NS, "stasis-agent-ca").json().at("/spec/ca/secretName").asText())
        .isEqualTo(ca.get("secretName").asText());

    JsonNode leaf = r.get("Certificate", NS, "stasis-agent").json().get("spec");
    assertThat(leaf.get("secretName").asText()).isEqualTo("stasis-agent-tls");
    assertThat(leaf.get("dnsNames").toString()).isEqualTo("[\"" + SERVER_NAME + "\"]");
    assertThat(leaf.at("/issuerRef/name").asText()).isEqualTo("stasis-agent-ca");
    assertThat(leaf.at("/issuerRef/kind").asText()).isEqualTo("Issuer");
    assertThat(leaf.at("/privateKey/encoding").asText()).isEqualTo("PKCS8");
    assertThat(leaf.get("usages").toString()).contains("server auth");
    assertThat(
            r.get("Certificate", NS, "stasis-agent")
                .as(GenericKubernetesResource.class)
                .getApiVersion())
        .isEqualTo("cert-manager.io/v1");
  }

  @Test
  void certManagerWithAnIssuerUsesIt() {
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            "tls: {certManager: {enabled: true, issuerRef: {name: corp-ca, kind: ClusterIssuer}}}\n");
    assertThat(r.ofKind("Issuer")).isEmpty();
    assertThat(r.ofKind("Certificate"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactly("stasis-agent");
    JsonNode leaf = r.get("Certificate", NS, "stasis-agent").json().get("spec");
    assertThat(leaf.at("/issuerRef/name").asText()).isEqualTo("corp-ca");
    assertThat(leaf.at("/issuerRef/kind").asText()).isEqualTo("ClusterIssuer");
    assertThat(leaf.at("/issuerRef/group").asText()).isEqualTo("cert-manager.io");
  }

  @Test
  void anExistingSecretIsUsedAsItIs() {
    ChartFixture.Rendered r = ChartFixture.render(Map.of("tls.existingSecret", "my-agent-tls"));
    assertThat(r.ofKind("Secret")).isEmpty();
    assertThat(r.ofKind("Certificate")).isEmpty();
    assertThat(
            Manifests.volumes(Manifests.pod(Manifests.agent(r)))
                .get("tls")
                .getSecret()
                .getSecretName())
        .isEqualTo("my-agent-tls");
    assertThat(
            Manifests.volumes(Manifests.pod(Manifests.operator(r)))
                .get("agent-ca")
                .getSecret()
                .getSecretName())
        .isEqualTo("my-agent-tls");
  }

  @Test
  void validityIsAValue() throws Exception {
    Secret secret =
        ChartFixture.render(Map.of("tls.validityDays", 30))
            .get("Secret", NS, "stasis-agent-tls")
            .as(Secret.class);
    X509Certificate cert = certificate(secret.getData().get("tls.crt"));
    assertThat(cert.getNotAfter().toInstant()).isBefore(Instant.now().plus(31, ChronoUnit.DAYS));
  }

  private static X509Certificate certificate(String base64Pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
  }

  private static KeyPair keyPair(String base64Pem) throws Exception {
    String pem = new String(Base64.getDecoder().decode(base64Pem), StandardCharsets.US_ASCII);
    assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----"); // PKCS#1, as documented
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) parser.readObject());
    }
  }
}
