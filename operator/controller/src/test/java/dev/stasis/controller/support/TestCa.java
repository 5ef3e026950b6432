package dev.stasis.controller.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and one server certificate signed by it, as PEM files in a directory. */
public final class TestCa {
  public final Path caCert;
  public final Path serverCert;
  public final Path serverKey;

  public TestCa(Path dir, String serverName) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256);
      KeyPair caKeys = gen.generateKeyPair();
      X500Name caName = new X500Name("CN=stasis-test-ca");
      Instant now = Instant.now();
      var caBuilder =
          new JcaX509v3CertificateBuilder(
              caName,
              BigInteger.ONE,
              Date.from(now.minusSeconds(60)),
              Date.from(now.plus(Duration.ofDays(1))),
              caName,
              caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
      X509Certificate ca =
          new JcaX509CertificateConverter().getCertificate(caBuilder.build(signer));

      KeyPair serverKeys = gen.generateKeyPair();
      var serverBuilder =
          new JcaX509v3CertificateBuilder(
              caName,
              BigInteger.TWO,
              Date.from(now.minusSeconds(60)),
              Date.from(now.plus(Duration.ofDays(1))),
              new X500Name("CN=" + serverName),
              serverKeys.getPublic());
      serverBuilder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, serverName)));
      X509Certificate server =
          new JcaX509CertificateConverter().getCertificate(serverBuilder.build(signer));

      Files.createDirectories(dir);
      caCert = write(dir.resolve("ca.crt"), ca);
      serverCert = write(dir.resolve("tls.crt"), server);
      serverKey =
          write(
              dir.resolve("tls.key"),
              new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(serverKeys.getPrivate(), null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path write(Path file, Object pem) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(pem);
    }
    Files.writeString(file, out.toString());
    return file;
  }
}
