package dev.stasis.agent;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's serving certificate and key (STASIS_AGENT_TLS_CERT, STASIS_AGENT_TLS_KEY), re-read
 * when the files change: both are a mounted Secret that cert-manager renews in place. At most once
 * per {@code checkEvery}, a handshake looks at the two files' identity, time and size; when they
 * changed, the pair is loaded again and used for the handshakes that follow. A pair that cannot be
 * loaded (half written, a key that does not match the certificate) is logged and the previous one
 * kept, so a renewal in progress never takes the agent off the air.
 *
 * <p>Each loaded pair has its own alias, so a handshake that chose an alias just before a reload
 * still gets the certificate and key of that same pair.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);

  private record Stamp(Object fileKey, FileTime modified, long size) {}

  private record Material(
      String alias,
      X509Certificate[] chain,
      PrivateKey key,
      X509KeyManager chooser,
      Stamp certStamp,
      Stamp keyStamp) {}

  private final Path certFile;
  private final Path keyFile;
  private final long checkEveryNanos;
  private final AtomicLong generation = new AtomicLong();
  private volatile Material current;
  private volatile Material previous;
  private volatile long nextCheck;
  private Stamp[] lastFailure;

  private ReloadingKeyManager(Path certFile, Path keyFile, Duration checkEvery) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.checkEveryNanos = checkEvery.toNanos();
  }

  /**
   * Loads the pair now (throwing what is wrong with it) and returns a key manager that reloads it.
   */
  public static ReloadingKeyManager load(Path certFile, Path keyFile, Duration checkEvery)
      throws IOException {
    ReloadingKeyManager m = new ReloadingKeyManager(certFile, keyFile, checkEvery);
    m.current = m.read(m.stamp(certFile), m.stamp(keyFile));
    m.nextCheck = System.nanoTime() + m.checkEveryNanos;
    return m;
  }

  /** The serving certificate now in use. */
  public X509Certificate certificate() {
    return current.chain()[0];
  }

  private Stamp stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
  }

  private Material read(Stamp certStamp, Stamp keyStamp) throws IOException {
    X509Certificate[] chain = Tls.readCertificates(certFile);
    PrivateKey key = Tls.readPrivateKey(keyFile);
    Tls.checkKeyMatches(key, chain[0], keyFile + " and " + certFile);
    String alias = "stasis-agent-" + generation.incrementAndGet();
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] password = "in-memory".toCharArray();
      ks.setKeyEntry(alias, key, password, chain);
      // SunX509 chooses by the key types TLS asks for (RSA, EC, RSASSA-PSS, EdDSA, EC_RSA, ...)
      // and answers with the keystore's alias.
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(ks, password);
      X509KeyManager chooser = null;
      for (KeyManager km : kmf.getKeyManagers()) {
        if (km instanceof X509KeyManager x) {
          chooser = x;
        }
      }
      Objects.requireNonNull(chooser, "SunX509 has no X509KeyManager");
      Instant notAfter = chain[0].getNotAfter().toInstant();
      if (Instant.now().isAfter(notAfter)) {
        LOG.warn(
            "the certificate in {} expired at {}: callers will refuse the agent",
            certFile,
            notAfter);
      }
      return new Material(alias, chain, key, chooser, certStamp, keyStamp);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the key in " + keyFile + " for TLS: " + e.getMessage(), e);
    }
  }

  /** The pair to serve: reloaded first if the files changed since the last look. */
  private Material fresh() {
    long now = System.nanoTime();
    if (now - nextCheck >= 0) {
      synchronized (this) {
        if (now - nextCheck >= 0) {
          nextCheck = now + checkEveryNanos;
          reloadIfChanged();
        }
      }
    }
    return current;
  }

  private void reloadIfChanged() {
    Material m = current;
    Stamp[] stamps;
    try {
      stamps = new Stamp[] {stamp(certFile), stamp(keyFile)};
    } catch (IOException e) {
      failed(null, "cannot look at " + certFile + " and " + keyFile + ": " + e);
      return;
    }
    if (stamps[0].equals(m.certStamp()) && stamps[1].equals(m.keyStamp())) {
      return;
    }
    try {
      Material loaded = read(stamps[0], stamps[1]);
      previous = m;
      current = loaded;
      lastFailure = null;
      LOG.info(
          "TLS certificate reloaded from {}: {} valid until {}",
          certFile,
          loaded.chain()[0].getSubjectX500Principal(),
          loaded.chain()[0].getNotAfter().toInstant());
    } catch (IOException | RuntimeException e) {
      failed(stamps, e.getMessage());
    }
  }

  private void failed(Stamp[] stamps, String why) {
    // Once per state of the files, not at every check.
    if (stamps == null || lastFailure == null || !Arrays.equals(stamps, lastFailure)) {
      LOG.warn("keeping the current TLS certificate: {}", why);
    }
    lastFailure = stamps;
  }

  private Material byAlias(String alias) {
    Material m = current;
    if (m.alias().equals(alias)) {
      return m;
    }
    Material p = previous;
    return p != null && p.alias().equals(alias) ? p : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return fresh().chooser().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return fresh().chooser().chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return fresh().chooser().getServerAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Material m = byAlias(alias);
    return m == null ? null : m.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Material m = byAlias(alias);
    return m == null ? null : m.key();
  }

  // The agent is a server only: it presents no client certificate.

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
