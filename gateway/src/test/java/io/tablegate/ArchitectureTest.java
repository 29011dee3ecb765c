package io.tablegate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layers of style.md §3: dependencies point one way, and library imports are fenced.
 */
class ArchitectureTest {
  static JavaClasses classes;

  @BeforeAll
  static void load() {
    // the gateway's own classes: not its tests, not the table writers of the fixtures module (test
    // scope)
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("/io/tablegate/fixtures/"))
            .importPackages("io.tablegate");
  }

  @Test
  void layersPointOneWay() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("protocol")
        .definedBy("io.tablegate.protocol..")
        .layer("spi")
        .definedBy("io.tablegate.spi..")
        .layer("crypto")
        .definedBy("io.tablegate.crypto..")
        .layer("format")
        .definedBy("io.tablegate.format..")
        .layer("storage")
        .definedBy("io.tablegate.storage..")
        .layer("config")
        .definedBy("io.tablegate.config..")
        .layer("auth")
        .definedBy("io.tablegate.auth..")
        .layer("catalog")
        .definedBy("io.tablegate.catalog..")
        .layer("events")
        .definedBy("io.tablegate.events..")
        .layer("service")
        .definedBy("io.tablegate.service..")
        .layer("http")
        .definedBy("io.tablegate.http..")
        .layer("admin")
        .definedBy("io.tablegate.admin..")
        .layer("app")
        .definedBy("io.tablegate.app..")
        .whereLayer("app")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("admin")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("http")
        .mayOnlyBeAccessedByLayers("admin", "app")
        .whereLayer("service")
        .mayOnlyBeAccessedByLayers("http", "admin", "app")
        // the sharing face never reads the catalog directly: through the service, or auth for who
        // is asking
        .whereLayer("catalog")
        .mayOnlyBeAccessedByLayers("service", "admin", "app")
        .whereLayer("auth")
        .mayOnlyBeAccessedByLayers("catalog", "service", "http", "admin", "app")
        .whereLayer("events")
        .mayOnlyBeAccessedByLayers("service", "http", "app")
        .whereLayer("format")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("storage")
        .mayOnlyBeAccessedByLayers("http", "app")
        .whereLayer("config")
        .mayOnlyBeAccessedByLayers("auth", "catalog", "storage", "http", "admin", "app")
        .whereLayer("crypto")
        .mayOnlyBeAccessedByLayers("storage", "service", "http", "app")
        .whereLayer("spi")
        .mayOnlyBeAccessedByLayers("format", "storage", "service", "http", "app")
        .check(classes);
  }

  @Test
  void protocolAndSpiUseNoFrameworkOrTableLibrary() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.tablegate.protocol..",
            "io.tablegate.spi..",
            "io.tablegate.events..",
            "io.tablegate.crypto..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vertx..", "io.delta..", "org.apache.iceberg..", "org.apache.hadoop..")
        .check(classes);
  }

  @Test
  void theGatewayHasNoTableWriter() throws Exception {
    // the fixtures module is a test dependency: the main code must not reach for it (the shaded jar
    // lacks it)
    try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/java"))) {
      org.assertj.core.api.Assertions.assertThat(
              files
                  .filter(p -> p.toString().endsWith(".java"))
                  .filter(
                      p -> {
                        try {
                          return java.nio.file.Files.readString(p)
                              .contains("io.tablegate.fixtures");
                        } catch (java.io.IOException e) {
                          throw new java.io.UncheckedIOException(e);
                        }
                      })
                  .toList())
          .isEmpty();
    }
    org.assertj.core.api.Assertions.assertThat(
            classes.stream()
                .filter(
                    c ->
                        c.getSimpleName().endsWith("Writer")
                            && c.getPackageName().startsWith("io.tablegate.format"))
                .toList())
        .isEmpty();
  }

  @Test
  void authKnowsNoHttpFramework() {
    noClasses()
        .that()
        .resideInAPackage("io.tablegate.auth..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx.ext.web..", "io.vertx.core.http..")
        .check(classes);
  }

  @Test
  void onlyBearerReadsBearerHeaders() throws Exception {
    java.util.List<String> parsers = new java.util.ArrayList<>();
    try (var files =
        java.nio.file.Files.walk(java.nio.file.Path.of("src/main/java/io/tablegate"))) {
      for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.endsWith(java.nio.file.Path.of("auth", "Bearer.java"))) continue;
        if (java.nio.file.Files.readString(f).matches("(?s).*regionMatches\\(true, 0, \"Bearer.*"))
          parsers.add(f.toString());
      }
    }
    org.assertj.core.api.Assertions.assertThat(parsers)
        .as("classes parsing Authorization headers themselves")
        .isEmpty();
  }

  @Test
  void onlyTheDeltaAdapterImportsKernel() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.tablegate.format.delta..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.delta..")
        .check(classes);
  }

  @Test
  void onlyTheIcebergAdapterImportsIceberg() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.tablegate.format.iceberg..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.iceberg..")
        .check(classes);
  }

  @Test
  void onlyTheFormatAdaptersTouchHadoop() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.tablegate.format.delta..", "io.tablegate.format.iceberg..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.hadoop..")
        .check(classes);
  }

  @Test
  void onlyTheHttpLayerUsesVertxWeb() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.tablegate.http..", "io.tablegate.admin..", "io.tablegate.app..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx.ext.web..")
        .check(classes);
  }

  @Test
  void theMetadataCacheKnowsNothingOfTheGateway() {
    noClasses()
        .that()
        .resideInAPackage("io.tablegate.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tablegate.protocol..", "io.tablegate.spi..", "io.delta..")
        .check(new ClassFileImporter().importPackages("io.tablegate.cache"));
  }

  @Test
  void everyPackageSaysWhichLayerItIs() throws Exception {
    java.nio.file.Path root = java.nio.file.Path.of("src/main/java/io/tablegate");
    java.util.List<String> missing = new java.util.ArrayList<>();
    try (var dirs = java.nio.file.Files.walk(root)) {
      for (java.nio.file.Path d : dirs.filter(java.nio.file.Files::isDirectory).toList()) {
        boolean hasClasses;
        try (var files = java.nio.file.Files.list(d)) {
          hasClasses =
              files.anyMatch(
                  f ->
                      f.toString().endsWith(".java")
                          && !f.getFileName().toString().equals("package-info.java"));
        }
        java.nio.file.Path info = d.resolve("package-info.java");
        if (hasClasses
            && (!java.nio.file.Files.exists(info)
                || !java.nio.file.Files.readString(info).contains("Layer: "))) {
          missing.add(root.relativize(d).toString());
        }
      }
    }
    org.assertj.core.api.Assertions.assertThat(missing)
        .as("packages without a package-info.java naming their layer")
        .isEmpty();
  }
}
