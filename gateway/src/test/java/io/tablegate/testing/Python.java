package io.tablegate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The project's Python environment ({@code target/python}, made by {@code scripts/python-env.sh},
 * which {@code scripts/test.sh} runs): real table writers and the real Python recipient, run as
 * processes.
 */
public final class Python {
  private Python() {}

  /** The repository root (the tests run in the gateway module's directory). */
  public static Path repository() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("testing/python/requirements.txt"))) return p;
    }
    throw new IllegalStateException("Cannot find the repository root above " + here);
  }

  public static Path interpreter() {
    Path python = repository().resolve("target/python/bin/python");
    if (!Files.isExecutable(python)) {
      throw new IllegalStateException(
          "The tests' Python environment is missing: run scripts/python-env.sh (scripts/test.sh does)");
    }
    return python;
  }

  /**
   * Runs a script of {@code testing/python} with the arguments; returns its output, or fails with
   * it.
   */
  public static String run(
      Map<String, String> env, long timeoutSeconds, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(interpreter().toString());
    command.add(repository().resolve("testing/python").resolve(script).toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = Files.createTempFile("python-", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    if (!done) {
      p.destroyForcibly();
      throw new IllegalStateException(
          script + " did not finish within " + timeoutSeconds + " s:\n" + output);
    }
    if (p.exitValue() != 0)
      throw new IllegalStateException(script + " failed (exit " + p.exitValue() + "):\n" + output);
    return output;
  }

  /**
   * Runs one file of the recipient pytest suite ({@code testing/python/recipient}) against a
   * gateway that needs no token: writes a profile for {@code endpoint} and passes its path as
   * {@code profileVariable}, the expected rows as {@code TABLEGATE_EXPECTED}. Returns pytest's
   * output after checking that every test ran and passed.
   */
  public static String recipientSuite(
      String file, String endpoint, Path profile, String profileVariable, Path expected)
      throws IOException, InterruptedException {
    Files.writeString(
        profile,
        "{\"shareCredentialsVersion\": 1, \"endpoint\": \""
            + endpoint
            + "\", \"bearerToken\": \"unused\"}");
    String output =
        run(
            Map.of(profileVariable, profile.toString(), "TABLEGATE_EXPECTED", expected.toString()),
            600,
            "run_pytest.py",
            repository().resolve("testing/python/recipient").resolve(file).toString(),
            "-q",
            "-p",
            "no:cacheprovider");
    System.out.println(output);
    if (!output.contains(" passed") || output.contains(" failed") || output.contains(" skipped")) {
      throw new AssertionError("The recipient suite " + file + " did not pass whole:\n" + output);
    }
    return output;
  }
}
