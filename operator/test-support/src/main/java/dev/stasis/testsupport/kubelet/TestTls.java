package dev.stasis.testsupport.kubelet;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and a serving certificate it signed for {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}: what a test server (kubelet simulator, agent) serves and what
 * its client trusts. Also written as PEM files (CA, certificate chain, PKCS#8 key) for code that is
 * configured with paths.
 */
public final class TestTls {
  private final X509Certificate ca;
  private final X509Certificate cert;
  private final PrivateKey key;

  private TestTls(X509Certificate ca, X509Certificate cert, PrivateKey key) {
    this.ca = ca;
    this.cert = cert;
    this.key = key;
  }

  /** A new CA and a serving certificate for loopback, valid for a day. */
  public static TestTls generate() {
    return generate("stasis-test-server");
  }

  /** Same, with the given common name on the serving certificate. */
  public static TestTls generate(String commonName) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256);
      KeyPair caKeys = gen.generateKeyPair();
      KeyPair leafKeys = gen.generateKeyPair();
      Instant now = Instant.now();
      Date from = Date.from(now.minus(Duration.ofMinutes(5)));
      Date to = Date.from(now.plus(Duration.ofDays(1)));
      X500Name caName = new X500Name("CN=stasis-test-ca");
      ContentSigner caSigner =
          new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());

      JcaX509v3CertificateBuilder caBuilder =
          new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName, caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate ca =
          new JcaX509CertificateConverter().getCertificate(caBuilder.build(caSigner));

      JcaX509v3CertificateBuilder leafBuilder =
          new JcaX509v3CertificateBuilder(
              caName, serial(), from, to, new X500Name("CN=" + commonName), leafKeys.getPublic());
      leafBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      leafBuilder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      leafBuilder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      leafBuilder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              }));
      X509Certificate cert =
          new JcaX509CertificateConverter().getCertificate(leafBuilder.build(caSigner));
      return new TestTls(ca, cert, leafKeys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public X509Certificate certificate() {
    return cert;
  }

  public PrivateKey privateKey() {
    return key;
  }

  public String caPem() {
    return pem(ca);
  }

  /** The serving certificate followed by the CA (a chain). */
  public String certChainPem() {
    return pem(cert) + pem(ca);
  }

  public String keyPem() {
    return pem(key);
  }

  /** Writes {@code ca.crt}, {@code tls.crt} and {@code tls.key} into {@code dir}. */
  public PemFiles written(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path caFile = dir.resolve("ca.crt");
    Path certFile = dir.resolve("tls.crt");
    Path keyFile = dir.resolve("tls.key");
    Files.writeString(caFile, caPem(), StandardCharsets.US_ASCII);
    Files.writeString(certFile, certChainPem(), StandardCharsets.US_ASCII);
    Files.writeString(keyFile, keyPem(), StandardCharsets.US_ASCII);
    return new PemFiles(caFile, certFile, keyFile);
  }

  /** Paths of the PEM files {@link #written(Path)} wrote. */
  public record PemFiles(Path ca, Path cert, Path key) {}

  /** A server-side context serving the certificate. */
  public SSLContext serverContext() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, new char[0], new X509Certificate[] {cert, ca});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client-side context trusting only the CA. */
  public SSLContext clientContext() {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The loopback address servers here bind to. */
  public static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  private static String pem(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(
          o instanceof PrivateKey k
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
              : o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return sw.toString();
  }
}
