package dev.stasis.testsupport.kube;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for a test cluster, issuing serving certificates for DNS names
 * (the Service name a client dials, as the chart's generated agent certificate carries {@code
 * stasis-agent.<namespace>.svc}), written as PEM files the way a {@code kubernetes.io/tls} Secret
 * is mounted: {@code ca.crt}, {@code tls.crt}, {@code tls.key} (PKCS#8). Valid for a day.
 */
public final class ClusterCa {
  /** The PEM files of one issued certificate. */
  public record Issued(Path ca, Path cert, Path key) {}

  private final KeyPair keys;
  private final X509Certificate certificate;
  private final X500Name name = new X500Name("CN=stasis-e2e-cluster-ca");

  public ClusterCa() {
    try {
      keys = ecKeys();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              name,
              keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      certificate = new JcaX509CertificateConverter().getCertificate(b.build(signer()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the test CA", e);
    }
  }

  /** Issues a serving certificate for {@code dnsNames} and writes it into {@code dir}. */
  public Issued issue(Path dir, String... dnsNames) {
    try {
      KeyPair leaf = ecKeys();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              new X500Name("CN=" + dnsNames[0]),
              leaf.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}));
      GeneralName[] names = new GeneralName[dnsNames.length];
      for (int i = 0; i < dnsNames.length; i++) {
        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer()));
      Files.createDirectories(dir);
      return new Issued(
          write(dir.resolve("ca.crt"), certificate),
          write(dir.resolve("tls.crt"), cert, certificate),
          write(dir.resolve("tls.key"), new JcaPKCS8Generator(leaf.getPrivate(), null)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a certificate for " + dnsNames[0], e);
    }
  }

  /** Writes the CA certificate alone (what a client trusts) to {@code file}. */
  public Path writeCertificate(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return write(file, certificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ContentSigner signer() throws Exception {
    PrivateKey key = keys.getPrivate();
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    return gen.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  private static Path write(Path file, Object... pems) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object pem : pems) {
        w.writeObject(pem);
      }
    }
    Files.writeString(file, out.toString());
    return file;
  }
}
