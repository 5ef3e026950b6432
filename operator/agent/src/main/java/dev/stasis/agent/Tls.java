package dev.stasis.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** TLS contexts and key material from PEM files. */
public final class Tls {
  private Tls() {}

  /** A context that trusts the certificates in the PEM bundle {@code caFile}, only. */
  public static SSLContext trusting(Path caFile) throws IOException {
    try (InputStream in = Files.newInputStream(caFile)) {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : cf.generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IOException("no certificate in " + caFile);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read CA bundle " + caFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The first private key in a PEM file, in any of the encodings the chart's Secret can hold:
   * PKCS#8 ({@code BEGIN PRIVATE KEY}, cert-manager with {@code encoding: PKCS8}), PKCS#1 ({@code
   * BEGIN RSA PRIVATE KEY}, Helm's {@code genSignedCert}) and SEC1 ({@code BEGIN EC PRIVATE KEY},
   * also after the {@code EC PARAMETERS} block that {@code openssl ecparam -genkey} writes).
   * Encrypted keys are refused: nobody could give the agent their password.
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(in)) {
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          // PKCS#1 or SEC1: BouncyCastle wraps the key in PKCS#8 for us.
          return toPrivateKey(pair.getPrivateKeyInfo(), file);
        }
        if (o instanceof PrivateKeyInfo info) {
          return toPrivateKey(info, file);
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IOException(
              "the private key in " + file + " is encrypted; the agent needs an unencrypted key");
        }
        // Anything else (EC PARAMETERS, a certificate in the same file) is not the key.
      }
    } catch (PEMException e) {
      throw new IOException("cannot read the private key in " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException | ClassCastException e) {
      // PEMParser's ASN.1 decoding of a damaged block.
      throw new IOException("the private key in " + file + " is damaged: " + e.getMessage(), e);
    }
    throw new IOException(
        "no private key in "
            + file
            + ": expected a PEM block BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE"
            + " KEY");
  }

  /**
   * A PKCS#8 key as a key of the JDK's own providers, whose algorithm names ("RSA", "EC") TLS key
   * managers match against. (BouncyCastle's converter would ask for "ECDSA", which a registered
   * BouncyCastle provider answers with keys named "ECDSA" that no TLS key type matches.)
   */
  private static PrivateKey toPrivateKey(PrivateKeyInfo info, Path file) throws IOException {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm;
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      algorithm = "RSA";
    } else if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
      algorithm = "RSASSA-PSS";
    } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      algorithm = "EC";
      if (info.getPrivateKeyAlgorithm().getParameters() == null) {
        throw new IOException(
            "the EC private key in "
                + file
                + " names no curve; write it with its parameters (openssl ec) or as PKCS#8");
      }
    } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      algorithm = "Ed25519";
    } else if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
      algorithm = "Ed448";
    } else {
      throw new IOException(
          "the private key in " + file + " is of a kind TLS cannot use (algorithm " + oid + ")");
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot read the " + algorithm + " private key in " + file + ": " + e.getMessage(), e);
    }
  }

  /** The certificates of a PEM file, in order (the serving certificate, then its issuers). */
  public static X509Certificate[] readCertificates(Path file) throws IOException {
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the certificates in " + file + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IOException("no certificate in " + file);
    }
    return chain.toArray(X509Certificate[]::new);
  }

  /**
   * Throws unless {@code key} is the private key of {@code cert}: signs a random challenge with it
   * and verifies the signature with the certificate. A mismatch (a renewed certificate next to the
   * old key, the wrong file mounted) would otherwise only show as failed handshakes.
   */
  public static void checkKeyMatches(PrivateKey key, X509Certificate cert, String what)
      throws IOException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "Ed448" -> key.getAlgorithm();
          default -> null;
        };
    if (algorithm == null) {
      return; // A key type TLS servers hardly use; the handshake will tell.
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // E.g. an EC key and an RSA certificate: the verifier refuses the key type.
      matches = false;
    }
    if (!matches) {
      throw new IOException(
          what
              + ": the private key does not belong to the certificate "
              + cert.getSubjectX500Principal());
    }
  }

  /**
   * A context that accepts any server certificate and host name (for kubelets whose serving
   * certificate is self-signed). The channel is still encrypted, but not authenticated.
   */
  public static SSLContext trustingAnything() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new AcceptAll()}, new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class AcceptAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
