package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped configurations stay valid: conf/, the compose file's gateway config and the one in
 * the Kubernetes secret load without problems or warnings, and every manifest parses with the ports
 * and probes the gateway serves.
 */
class DeploymentFilesTest {
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  static List<JsonNode> documents(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNext()) out.add(it.next());
    }
    return out;
  }

  static GatewayConfig load(String yaml) {
    ConfigLoader.Loaded loaded = ConfigLoader.parse(yaml, ROOT);
    assertThat(loaded.warnings()).isEmpty();
    return loaded.config();
  }

  @Test
  void shippedConfigurationsLoad() throws Exception {
    load(Files.readString(ROOT.resolve("conf/tablegate.yaml")));
    GatewayConfig compose = load(Files.readString(ROOT.resolve("docker/tablegate.yaml")));
    assertThat(compose.admin().port()).isEqualTo(8081);
    assertThat(compose.stores()).hasSize(1);
    JsonNode secret = documents(ROOT.resolve("k8s/secret.yaml")).get(0);
    GatewayConfig k8s = load(secret.path("stringData").path("tablegate.yaml").asText());
    assertThat(k8s.port()).isEqualTo(8080);
    assertThat(k8s.admin().catalogLocation()).isEqualTo("s3://lake/.tablegate/catalog.json");
    assertThat(k8s.admin().catalogStore()).isEqualTo("lake");
    assertThat(k8s.redis()).isNotNull();
  }

  @Test
  void manifestsParseAndPointAtWhatTheGatewayServes() throws Exception {
    List<JsonNode> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList())
        all.addAll(documents(f));
    }
    assertThat(all)
        .extracting(n -> n.path("kind").asText())
        .contains(
            "Deployment",
            "Service",
            "HorizontalPodAutoscaler",
            "Ingress",
            "Secret",
            "PodDisruptionBudget",
            "NetworkPolicy");
    // no shared disk: the live catalog lives in the object store
    assertThat(all)
        .extracting(n -> n.path("kind").asText())
        .doesNotContain("PersistentVolumeClaim");
    JsonNode container =
        all.stream()
            .filter(n -> n.path("kind").asText().equals("Deployment"))
            .findFirst()
            .orElseThrow()
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/readyz");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/livez");
    // probes go to the management listener, never the sharing port
    assertThat(container.path("readinessProbe").path("httpGet").path("port").asText())
        .isEqualTo("management");
    assertThat(container.path("livenessProbe").path("httpGet").path("port").asText())
        .isEqualTo("management");
    JsonNode ingress =
        all.stream()
            .filter(n -> n.path("kind").asText().equals("Ingress"))
            .findFirst()
            .orElseThrow();
    assertThat(
            ingress
                .path("metadata")
                .path("annotations")
                .path("nginx.ingress.kubernetes.io/proxy-buffering")
                .asText())
        .isEqualTo("off");
    assertThat(ingress.toString()).doesNotContain("8081").doesNotContain("tablegate-admin");
    JsonNode compose = documents(ROOT.resolve("docker/docker-compose.yml")).get(0).path("services");
    // two replicas behind the balancer, none with a host port (so --scale works); the gateway's
    // store user can list
    assertThat(compose.path("tablegate").path("deploy").path("replicas").asInt()).isEqualTo(2);
    assertThat(compose.path("tablegate").has("ports")).isFalse();
    assertThat(compose.path("lb").path("ports").toString()).contains("8080:8080");
    assertThat(Files.readString(ROOT.resolve("docker/minio-tablegate-policy.json")))
        .contains("s3:ListBucket")
        .contains("s3:GetObject");
    assertThat(Files.readString(ROOT.resolve("docker/nginx.conf")))
        .contains("proxy_buffering off")
        .contains("non_idempotent");
  }
}
