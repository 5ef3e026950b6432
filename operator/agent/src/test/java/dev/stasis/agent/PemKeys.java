package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Serving certificates for the agent with their keys written the ways the tools around the chart
 * write them: Helm's {@code genSignedCert} (RSA, PKCS#1), cert-manager ({@code encoding: PKCS8},
 * ECDSA or RSA), {@code openssl ecparam -genkey} (SEC1 after an EC PARAMETERS block).
 */
final class PemKeys {
  private PemKeys() {}

  /** A key encoding, with the PEM label it produces. */
  enum Format {
    /** Helm's genSignedCert: an RSA key in PKCS#1. */
    RSA_PKCS1("RSA", "-----BEGIN RSA PRIVATE KEY-----"),
    /** cert-manager with privateKey.algorithm RSA and encoding PKCS8. */
    RSA_PKCS8("RSA", "-----BEGIN PRIVATE KEY-----"),
    /** cert-manager as the chart asks it: ECDSA P-256 in PKCS#8. */
    EC_PKCS8("EC", "-----BEGIN PRIVATE KEY-----"),
    /** An EC key in SEC1, as cert-manager's default encoding and most tools write it. */
    EC_SEC1("EC", "-----BEGIN EC PRIVATE KEY-----"),
    /** {@code openssl ecparam -name prime256v1 -genkey}: the curve's block, then the SEC1 key. */
    EC_SEC1_WITH_PARAMETERS("EC", "-----BEGIN EC PARAMETERS-----");

    final String algorithm;
    final String firstLine;

    Format(String algorithm, String firstLine) {
      this.algorithm = algorithm;
      this.firstLine = firstLine;
    }
  }

  /** A CA and a serving certificate it signed for localhost, with the leaf's key. */
  record Issued(X509Certificate ca, X509Certificate cert, KeyPair keys) {
    /**
     * Writes {@code ca.crt}, {@code tls.crt} (leaf only, like genSignedCert) and {@code tls.key}.
     */
    PemFiles written(Path dir, Format format) throws IOException {
      Files.createDirectories(dir);
      Path caFile = dir.resolve("ca.crt");
      Path certFile = dir.resolve("tls.crt");
      Path keyFile = dir.resolve("tls.key");
      Files.writeString(caFile, pem(ca), StandardCharsets.US_ASCII);
      Files.writeString(certFile, pem(cert), StandardCharsets.US_ASCII);
      String key = keyPem(keys.getPrivate(), format);
      assertThat(key).as(format.name()).startsWith(format.firstLine);
      Files.writeString(keyFile, key, StandardCharsets.US_ASCII);
      return new PemFiles(caFile, certFile, keyFile);
    }
  }

  /** Paths of the written PEM files. */
  record PemFiles(Path ca, Path cert, Path key) {}

  /** A new CA and leaf, both with keys of {@code algorithm} (RSA 2048 or EC P-256). */
  static Issued issue(String algorithm) {
    try {
      KeyPair caKeys = keyPair(algorithm);
      KeyPair leafKeys = keyPair(algorithm);
      String signature = algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      Instant now = Instant.now();
      Date from = Date.from(now.minus(Duration.ofMinutes(5)));
      Date to = Date.from(now.plus(Duration.ofDays(1)));
      X500Name caName = new X500Name("CN=stasis-agent-ca-" + algorithm);
      JcaX509v3CertificateBuilder caBuilder =
          new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName, caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate ca =
          new JcaX509CertificateConverter()
              .getCertificate(
                  caBuilder.build(
                      new JcaContentSignerBuilder(signature).build(caKeys.getPrivate())));
      JcaX509v3CertificateBuilder leafBuilder =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              from,
              to,
              new X500Name("CN=stasis-agent.stasis-system.svc"),
              leafKeys.getPublic());
      leafBuilder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "stasis-agent.stasis-system.svc"),
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  leafBuilder.build(
                      new JcaContentSignerBuilder(signature).build(caKeys.getPrivate())));
      return new Issued(ca, cert, leafKeys);
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  private static KeyPair keyPair(String algorithm) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
    gen.initialize(algorithm.equals("RSA") ? 2048 : 256);
    return gen.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  static String pem(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return sw.toString();
  }

  /** The key in {@code format}. */
  static String keyPem(PrivateKey key, Format format) {
    if (!key.getAlgorithm().equals(format.algorithm)) {
      throw new IllegalArgumentException(format + " needs an " + format.algorithm + " key");
    }
    return switch (format) {
      // BouncyCastle's writer puts RSA keys in PKCS#1 (the "traditional" OpenSSL form); the
      // tests check the label each time.
      case RSA_PKCS1 -> pem(key);
      case RSA_PKCS8, EC_PKCS8 -> pem(pkcs8(key));
      case EC_SEC1 -> sec1(key);
      case EC_SEC1_WITH_PARAMETERS ->
          // The DER of the prime256v1 OID, as openssl ecparam writes it.
          "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
              + sec1(key);
    };
  }

  /**
   * An EC key in SEC1 (RFC 5915) with its curve, as openssl and Go's x509.MarshalECPrivateKey write
   * it. (The JDK's PKCS#8 encoding keeps the curve outside the inner SEC1 structure, so
   * BouncyCastle's writer alone would leave it out.)
   */
  private static String sec1(PrivateKey key) {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    try {
      ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
      ECPrivateKey withCurve =
          new ECPrivateKey(
              256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters().toASN1Primitive());
      StringWriter sw = new StringWriter();
      try (PemWriter w = new PemWriter(sw)) {
        w.writeObject(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
      }
      return sw.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JcaPKCS8Generator pkcs8(PrivateKey key) {
    try {
      return new JcaPKCS8Generator(key, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key as {@code openssl genrsa -aes128} (traditional) writes it, with a password. */
  static String encryptedPem(PrivateKey key) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(
          key,
          new JcePEMEncryptorBuilder("AES-128-CBC")
              .setProvider(new BouncyCastleProvider())
              .build("pw".toCharArray()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return sw.toString();
  }
}
