package dev.stasis.e2e.k3s;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.MountableFile;

/**
 * Builds the operator and agent images from the jars this build made, and loads them into the K3s
 * node's containerd, so the chart runs exactly the code under test (pull policy Never).
 */
final class LocalImages {
  static final String REGISTRY = "stasis-e2e.local";
  static final String TAG = "e2e";

  private LocalImages() {}

  static void buildAndLoad(K3sContainer k3s, Path repoRoot, String version) throws Exception {
    load(
        k3s,
        build(
            "stasis-dev/stasis-operator",
            repoRoot.resolve("operator/controller/target/stasis-controller-" + version + ".jar"),
            "65532"));
    load(
        k3s,
        build(
            "stasis-dev/stasis-agent",
            repoRoot.resolve("operator/agent/target/stasis-agent-" + version + ".jar"),
            "0"));
  }

  private static String build(String repository, Path jar, String user) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run ./mvnw -B package first (the e2e module builds after it)");
    }
    String name = REGISTRY + "/" + repository + ":" + TAG;
    // The same runtime stage as images/*/Dockerfile, with the jar from this build.
    new ImageFromDockerfile(name, false)
        .withFileFromPath("app.jar", jar)
        .withDockerfileFromBuilder(
            b ->
                b.from("eclipse-temurin:17-jre")
                    .copy("app.jar", "/opt/stasis/app.jar")
                    .user(user)
                    .entryPoint("java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/stasis/app.jar")
                    .build())
        .get();
    return name;
  }

  private static void load(K3sContainer k3s, String image)
      throws IOException, InterruptedException {
    DockerClient docker = DockerClientFactory.instance().client();
    Path tar = Files.createTempFile("stasis-image-", ".tar");
    try (InputStream saved = docker.saveImageCmd(image).exec()) {
      Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
    }
    k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
    Container.ExecResult result =
        k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
    if (result.getExitCode() != 0) {
      throw new IllegalStateException("cannot load " + image + " into K3s: " + result.getStderr());
    }
    Files.deleteIfExists(tar);
  }
}
