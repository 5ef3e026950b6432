package dev.stasis.testsupport.kube;

import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A Kubernetes API server for tests that run Stasis: fabric8's mock server in CRUD mode with the
 * CRDs of a directory installed, admission for the {@code stasis.dev} kinds as the real API server
 * does it with those CRDs (defaults, schema, CEL rules; 422 with the field's message, see {@link
 * CrdValidator}), server-side apply that creates, and TokenReviews answered by {@link
 * TokenReviews}.
 */
public final class StasisApiServer implements AutoCloseable {
  /** The mock server logs every request at INFO through java.util.logging: keep it quiet. */
  private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final TokenReviews tokenReviews;
  private final CrdValidator validator;
  private final List<KubernetesClient> clients = new ArrayList<>();

  /**
   * Starts a server on a free loopback port and installs every CRD in {@code crdDirectory}.
   *
   * @param tokenReviews who the tokens presented in TokenReviews belong to
   */
  public StasisApiServer(Path crdDirectory, TokenReviews tokenReviews) {
    MOCK_SERVER_LOG.setLevel(Level.WARNING);
    this.tokenReviews = tokenReviews;
    this.validator = CrdValidator.fromDirectory(crdDirectory);
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new ApiServerDispatcher(validator, tokenReviews),
            false);
    server.init();
    KubernetesClient admin = client();
    try (Stream<Path> files = Files.list(crdDirectory)) {
      for (Path f : files.filter(StasisApiServer::isYaml).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              Serialization.unmarshal(in, CustomResourceDefinition.class);
          admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the CRDs of " + crdDirectory, e);
    }
  }

  private static boolean isYaml(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yml") || n.endsWith(".yaml");
  }

  /** A new client of this server (on the JDK's HTTP client), closed with the server. */
  public synchronized KubernetesClient client() {
    KubernetesClient client = server.createClient(new JdkHttpClientFactory());
    clients.add(client);
    return client;
  }

  /** The URL clients use, e.g. {@code http://localhost:35123}. */
  public String url() {
    return server.url("/").replaceAll("/$", "");
  }

  public TokenReviews tokenReviews() {
    return tokenReviews;
  }

  /** The validator the server admits stasis.dev resources with. */
  public CrdValidator validator() {
    return validator;
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    clients.clear();
    server.destroy();
  }
}
