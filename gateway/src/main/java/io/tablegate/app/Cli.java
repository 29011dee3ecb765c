package io.tablegate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tablegate share|recipient ...} command line: a client of the admin API that prints
 * readable output (a tree for {@code share info}) or, with {@code --json}, the API's JSON. The
 * admin URL and token come from {@code --admin}/{@code --token} or {@code TABLEGATE_ADMIN_URL} /
 * {@code TABLEGATE_ADMIN_TOKEN}. New token secrets are printed once, with a warning.
 */
public final class Cli {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static final String USAGE =
      """
      Usage: tablegate <command> [options]            (java -jar tablegate.jar <command> ...)

        share list
        share create NAME [--display-name TEXT] [--comment TEXT] [--property KEY=VALUE]... [--directory-access true]
        share info NAME
        share remove NAME                             (revokes tokens left without a share)
        share update NAME --display-name TEXT | --comment TEXT | --property KEY=VALUE | --remove-property KEY
                          | --directory-access true|false
        share update NAME --add-schema S | --remove-schema S
                          | --add-table SCHEMA.TABLE=LOCATION [--format delta|iceberg] [--history] [--store S] [--proxy]
                          | --remove-table SCHEMA.TABLE
        share update NAME --policy recipient=R table=SCHEMA.TABLE [columns=a,b | exceptColumns=c] [filter="region = 'EU'"]
                          | --remove-policy recipient=R table=SCHEMA.TABLE   (what a recipient may read of a table)
        share token create SHARE [--description TEXT] [--expires-in 30d|12h|90m|SECONDS] [--profile FILE [--oauth]]
                               [--activation [--link-expires-in 7d]]   (a single-use download link instead)
        share token list SHARE
        share token revoke TOKEN_ID
        share token rotate TOKEN_ID [--grace 1h] [--profile FILE [--oauth]]
        recipient list
        recipient create NAME [--share S]... [--allow-network CIDR]... [--oidc-issuer URL --oidc-subject VALUE [--oidc-claim sub] [--oidc-audience AUD]]
        recipient grant NAME SHARE | recipient ungrant NAME SHARE
        recipient remove NAME                         (revokes its tokens)
        recipient usage NAME                          (requests, files and bytes per table, on this instance)
        recipient token create NAME [--description TEXT] [--expires-in ...] [--profile FILE [--oauth]] [--activation]
        preview SHARE.SCHEMA.TABLE [--limit 20] [--version V]   (the table's first rows, as the provider sees them)

      Options: --admin URL (default $TABLEGATE_ADMIN_URL or http://127.0.0.1:8081)
               --token TOKEN (default $TABLEGATE_ADMIN_TOKEN)   --json (print the API's JSON)""";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private String admin;
  private String token;
  private boolean json;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Cli(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  /**
   * Runs one command; returns the process exit code (0 ok, 1 refused by the server or unreachable,
   * 2 usage).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return new Cli(out, err, System.getenv()).execute(args);
  }

  static boolean isCommand(String first) {
    return first.equals("share") || first.equals("recipient");
  }

  private static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message);
    }
  }

  private static final class Failed extends RuntimeException {
    Failed(String message) {
      super(message);
    }
  }

  int execute(String[] argv) {
    if (List.of(argv).contains("--help") || List.of(argv).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    List<String> args = new ArrayList<>();
    Map<String, List<String>> opts = new java.util.LinkedHashMap<>();
    try {
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        if (a.equals("--policy") || a.equals("--remove-policy")) {
          // the policy's KEY=VALUE words that follow (a filter may hold spaces: quote it)
          List<String> words = new ArrayList<>();
          while (i + 1 < argv.length
              && argv[i + 1].matches("(?s)(recipient|table|columns|exceptColumns|filter)=.*"))
            words.add(argv[++i]);
          if (words.isEmpty())
            throw new Usage(a + " takes recipient=R table=SCHEMA.TABLE [columns=a,b] [filter=...]");
          opts.computeIfAbsent(a, k -> new ArrayList<>()).add(String.join("\u0000", words));
        } else if (a.equals("--json")
            || a.equals("--history")
            || a.equals("--proxy")
            || a.equals("--activation")
            || a.equals("--oauth")) {
          opts.computeIfAbsent(a, k -> new ArrayList<>()).add("true");
        } else if (a.startsWith("--")) {
          if (i + 1 >= argv.length) throw new Usage(a + " needs a value");
          opts.computeIfAbsent(a, k -> new ArrayList<>()).add(argv[++i]);
        } else {
          args.add(a);
        }
      }
      admin =
          one(opts, "--admin", env.getOrDefault("TABLEGATE_ADMIN_URL", "http://127.0.0.1:8081"));
      while (admin.endsWith("/")) admin = admin.substring(0, admin.length() - 1);
      token = one(opts, "--token", env.get("TABLEGATE_ADMIN_TOKEN"));
      json = opts.containsKey("--json");
      if (token == null)
        throw new Usage("the admin token is missing: pass --token or set TABLEGATE_ADMIN_TOKEN");
      dispatch(args, opts);
      return 0;
    } catch (Usage e) {
      err.println("error: " + e.getMessage());
      err.println();
      err.println(USAGE);
      return 2;
    } catch (Failed e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static String one(Map<String, List<String>> opts, String name, String dflt) {
    List<String> v = opts.get(name);
    return v == null ? dflt : v.get(v.size() - 1);
  }

  private static String arg(List<String> args, int i, String what) {
    if (args.size() <= i) throw new Usage("missing " + what);
    return args.get(i);
  }

  private void dispatch(List<String> a, Map<String, List<String>> o) {
    String cmd =
        String.join(
            " ",
            a.subList(0, Math.min(a.size(), a.size() > 1 && a.get(1).equals("token") ? 3 : 2)));
    if (!a.isEmpty() && a.get(0).equals("preview")) {
      preview(arg(a, 1, "table (SHARE.SCHEMA.TABLE)"), o);
      return;
    }
    switch (cmd) {
      case "share list" -> print(call("GET", "/shares", null), this::shareTrees);
      case "share create" ->
          print(
              call("POST", "/shares", described(obj("name", arg(a, 2, "share name")), o, null)),
              n -> out.println("Created share " + n.path("name").asText()));
      case "share info" ->
          print(call("GET", "/shares/" + enc(arg(a, 2, "share name")), null), this::shareTree);
      case "share remove" ->
          print(
              call("DELETE", "/shares/" + enc(arg(a, 2, "share name")), null),
              n ->
                  out.println(
                      "Removed share "
                          + n.path("removed").asText()
                          + "; tokens revoked: "
                          + n.path("tokensRevoked").asInt()));
      case "share update" -> update(arg(a, 2, "share name"), o);
      case "share token create" ->
          tokenCreate("/shares/" + enc(arg(a, 3, "share name")) + "/tokens", o);
      case "share token list" ->
          print(
              call("GET", "/shares/" + enc(arg(a, 3, "share name")) + "/tokens", null),
              this::tokenTable);
      case "share token revoke" ->
          print(
              call("POST", "/tokens/" + enc(arg(a, 3, "token id")) + "/revoke", null),
              n -> out.println("Revoked token " + n.path("id").asText()));
      case "share token rotate" -> {
        ObjectNode body = MAPPER.createObjectNode();
        if (o.containsKey("--grace")) body.put("graceSeconds", seconds(one(o, "--grace", null)));
        secret(call("POST", "/tokens/" + enc(arg(a, 3, "token id")) + "/rotate", body), o);
      }
      case "recipient list" ->
          print(
              call("GET", "/recipients", null),
              n -> {
                for (JsonNode r : n) {
                  out.println(
                      r.path("name").asText()
                          + "  shares="
                          + r.path("shares")
                          + (r.has("oidc") ? "  oidc=" + r.get("oidc") : ""));
                }
              });
      case "recipient create" -> {
        ObjectNode body = obj("name", arg(a, 2, "recipient name"));
        var shares = body.putArray("shares");
        o.getOrDefault("--share", List.of()).forEach(shares::add);
        if (o.containsKey("--allow-network")) {
          var networks = body.putArray("allowedNetworks");
          o.get("--allow-network").forEach(networks::add);
        }
        if (o.containsKey("--oidc-issuer") || o.containsKey("--oidc-subject")) {
          ObjectNode oidc = body.putObject("oidc");
          oidc.put("issuer", one(o, "--oidc-issuer", ""));
          oidc.put("value", one(o, "--oidc-subject", ""));
          oidc.put("claim", one(o, "--oidc-claim", "sub"));
          if (o.containsKey("--oidc-audience"))
            oidc.put("audience", one(o, "--oidc-audience", null));
        }
        print(
            call("POST", "/recipients", body),
            n -> out.println("Created recipient " + n.path("name").asText()));
      }
      case "recipient grant" ->
          print(
              call(
                  "POST",
                  "/recipients/" + enc(arg(a, 2, "recipient name")) + "/shares",
                  obj("share", arg(a, 3, "share name"))),
              n -> out.println(n.path("name").asText() + " now reads " + n.path("shares")));
      case "recipient ungrant" ->
          print(
              call(
                  "DELETE",
                  "/recipients/"
                      + enc(arg(a, 2, "recipient name"))
                      + "/shares/"
                      + enc(arg(a, 3, "share name")),
                  null),
              n -> out.println(n.path("name").asText() + " now reads " + n.path("shares")));
      case "recipient remove" ->
          print(
              call("DELETE", "/recipients/" + enc(arg(a, 2, "recipient name")), null),
              n ->
                  out.println(
                      "Removed recipient "
                          + n.path("removed").asText()
                          + "; tokens revoked: "
                          + n.path("tokensRevoked").asInt()));
      case "recipient usage" ->
          print(
              call("GET", "/recipients/" + enc(arg(a, 2, "recipient name")) + "/usage", null),
              n -> {
                out.println(
                    "Recipient "
                        + n.path("recipient").asText()
                        + " ("
                        + n.path("scope").asText()
                        + "):");
                if (n.path("tables").isEmpty()) out.println("  (nothing read)");
                n.path("tables")
                    .fields()
                    .forEachRemaining(
                        e ->
                            out.println(
                                String.format(
                                    "  %-40s %8d requests %10d files %14d bytes",
                                    e.getKey(),
                                    e.getValue().path("requests").asLong(),
                                    e.getValue().path("files").asLong(),
                                    e.getValue().path("bytes").asLong())));
              });
      case "recipient token create" ->
          tokenCreate("/recipients/" + enc(arg(a, 3, "recipient name")) + "/tokens", o);
      default ->
          throw new Usage(
              a.isEmpty() ? "no command" : "unknown command '" + String.join(" ", a) + "'");
    }
  }

  /**
   * Adds {@code --display-name}, {@code --comment} and {@code --property K=V} / {@code
   * --remove-property K} (over {@code current}, the share's properties now) to an admin API body.
   */
  private static ObjectNode described(
      ObjectNode body, Map<String, List<String>> o, JsonNode current) {
    if (o.containsKey("--display-name")) body.put("displayName", one(o, "--display-name", null));
    if (o.containsKey("--comment")) body.put("comment", one(o, "--comment", null));
    if (o.containsKey("--directory-access")) {
      String v = one(o, "--directory-access", null);
      if (!"true".equals(v) && !"false".equals(v))
        throw new Usage("--directory-access takes true or false");
      body.put("directoryAccess", Boolean.parseBoolean(v));
    }
    if (o.containsKey("--property") || o.containsKey("--remove-property")) {
      ObjectNode props = body.putObject("properties");
      if (current != null && current.isObject()) props.setAll((ObjectNode) current.deepCopy());
      for (String kv : o.getOrDefault("--property", List.of())) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new Usage("--property takes KEY=VALUE");
        props.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      for (String k : o.getOrDefault("--remove-property", List.of())) props.remove(k);
    }
    return body;
  }

  private void update(String share, Map<String, List<String>> o) {
    boolean any = false;
    if (o.containsKey("--display-name")
        || o.containsKey("--comment")
        || o.containsKey("--property")
        || o.containsKey("--remove-property")
        || o.containsKey("--directory-access")) {
      JsonNode current =
          o.containsKey("--property") || o.containsKey("--remove-property")
              ? call("GET", "/shares/" + enc(share), null).path("properties")
              : null;
      print(
          call("PATCH", "/shares/" + enc(share), described(MAPPER.createObjectNode(), o, current)),
          n -> out.println("Updated share " + share));
      any = true;
    }
    for (String spec : o.getOrDefault("--policy", List.of())) {
      ObjectNode policy = MAPPER.createObjectNode();
      for (String word : spec.split("\u0000")) {
        int eq = word.indexOf('=');
        policy.put(word.substring(0, eq), word.substring(eq + 1));
      }
      print(
          call("PUT", "/shares/" + enc(share) + "/policies", policy),
          n ->
              out.println(
                  "Policy set: recipient "
                      + policy.path("recipient").asText()
                      + " reads "
                      + share
                      + "."
                      + policy.path("table").asText()
                      + (policy.has("columns")
                          ? " columns " + policy.path("columns").asText()
                          : policy.has("exceptColumns")
                              ? " all columns but " + policy.path("exceptColumns").asText()
                              : " all columns")
                      + (policy.has("filter")
                          ? " where " + policy.path("filter").asText()
                          : ", every row")));
      any = true;
    }
    for (String spec : o.getOrDefault("--remove-policy", List.of())) {
      java.util.Map<String, String> w = new java.util.HashMap<>();
      for (String word : spec.split("\u0000")) {
        int eq = word.indexOf('=');
        w.put(word.substring(0, eq), word.substring(eq + 1));
      }
      if (!w.containsKey("recipient") || !w.containsKey("table"))
        throw new Usage("--remove-policy takes recipient=R table=SCHEMA.TABLE");
      print(
          call(
              "DELETE",
              "/shares/"
                  + enc(share)
                  + "/policies?recipient="
                  + enc(w.get("recipient"))
                  + "&table="
                  + enc(w.get("table")),
              null),
          n ->
              out.println(
                  "Policy removed: recipient "
                      + w.get("recipient")
                      + " reads "
                      + share
                      + "."
                      + w.get("table")
                      + " whole"));
      any = true;
    }
    for (String s : o.getOrDefault("--add-schema", List.of())) {
      print(
          call("POST", "/shares/" + enc(share) + "/schemas", obj("name", s)),
          n -> out.println("Added schema " + share + "." + s));
      any = true;
    }
    for (String spec : o.getOrDefault("--add-table", List.of())) {
      int eq = spec.indexOf('=');
      int dot = spec.indexOf('.');
      if (eq < 0 || dot < 0 || dot > eq) throw new Usage("--add-table takes SCHEMA.TABLE=LOCATION");
      String schema = spec.substring(0, dot);
      ObjectNode t = obj("name", spec.substring(dot + 1, eq));
      t.put("location", spec.substring(eq + 1));
      if (o.containsKey("--format")) t.put("format", one(o, "--format", null));
      if (o.containsKey("--history")) t.put("historyShared", true);
      if (o.containsKey("--store")) t.put("store", one(o, "--store", null));
      if (o.containsKey("--proxy")) t.put("fileAccess", "proxy");
      print(
          call("POST", "/shares/" + enc(share) + "/schemas/" + enc(schema) + "/tables", t),
          n -> out.println("Added table " + share + "." + schema + "." + n.path("name").asText()));
      any = true;
    }
    for (String spec : o.getOrDefault("--remove-table", List.of())) {
      int dot = spec.indexOf('.');
      if (dot < 0) throw new Usage("--remove-table takes SCHEMA.TABLE");
      print(
          call(
              "DELETE",
              "/shares/"
                  + enc(share)
                  + "/schemas/"
                  + enc(spec.substring(0, dot))
                  + "/tables/"
                  + enc(spec.substring(dot + 1)),
              null),
          n -> out.println("Removed table " + n.path("removed").asText()));
      any = true;
    }
    for (String s : o.getOrDefault("--remove-schema", List.of())) {
      print(
          call("DELETE", "/shares/" + enc(share) + "/schemas/" + enc(s), null),
          n -> out.println("Removed schema " + share + "." + s));
      any = true;
    }
    if (!any)
      throw new Usage(
          "share update needs --display-name, --comment, --property, --remove-property,"
              + " --directory-access, --add-schema,"
              + " --remove-schema, --add-table or --remove-table");
  }

  private void tokenCreate(String path, Map<String, List<String>> o) {
    ObjectNode body = MAPPER.createObjectNode();
    if (o.containsKey("--description")) body.put("description", one(o, "--description", null));
    if (o.containsKey("--expires-in"))
      body.put("expiresInSeconds", seconds(one(o, "--expires-in", null)));
    if (o.containsKey("--expires-at")) body.put("expiresAt", one(o, "--expires-at", null));
    if (o.containsKey("--activation")) {
      // a single-use link instead of a token: the recipient downloads the profile once
      if (o.containsKey("--link-expires-in"))
        body.put("linkExpiresInSeconds", seconds(one(o, "--link-expires-in", null)));
      JsonNode n =
          call(
              "POST", path.substring(0, path.length() - "/tokens".length()) + "/activations", body);
      if (json) {
        out.println(pretty(n));
      } else {
        out.println(
            "Activation link "
                + n.path("id").asText()
                + ", open until "
                + n.path("expiresAt").asText()
                + ":");
        out.println("  " + n.path("activationUrl").asText());
        err.println(
            "It downloads the recipient's profile once (then answers 404); send it over a channel you trust.");
      }
      return;
    }
    secret(call("POST", path, body), o);
  }

  /**
   * Prints a new token once (and writes its profile file if asked), with the warning that it is
   * shown once.
   */
  private void secret(JsonNode n, Map<String, List<String>> o) {
    String profile = one(o, "--profile", null);
    // --oauth: the OAuth client-credentials profile (v2) of the same token, as client id and secret
    if (profile != null)
      writeProfile(Path.of(profile), n.get(o.containsKey("--oauth") ? "oauthProfile" : "profile"));
    if (json) {
      out.println(pretty(n));
    } else {
      out.println(
          "Token "
              + n.path("id").asText()
              + " for "
              + (n.has("recipient")
                  ? "recipient " + n.path("recipient").asText()
                  : "share " + n.path("shares").path(0).asText())
              + (n.has("expiresAt") ? ", expires " + n.path("expiresAt").asText() : ""));
      if (n.has("previousTokenValidUntil"))
        out.println(
            "The previous token stays valid until " + n.path("previousTokenValidUntil").asText());
      out.println();
      out.println("  " + n.path("token").asText());
      out.println();
      if (profile != null)
        out.println("Profile written to " + profile + " (give this file to the recipient).");
    }
    err.println(
        "WARNING: this token is shown once and cannot be retrieved again; store it now (only its hash is kept).");
  }

  private void writeProfile(Path file, JsonNode profile) {
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          pretty(profile) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default permissions
      }
    } catch (IOException e) {
      throw new Failed("cannot write the profile file " + file + ": " + e.getMessage());
    }
  }

  static long seconds(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("d")) return Long.parseLong(t.substring(0, t.length() - 1)) * 86_400;
      if (t.endsWith("h")) return Long.parseLong(t.substring(0, t.length() - 1)) * 3_600;
      if (t.endsWith("m")) return Long.parseLong(t.substring(0, t.length() - 1)) * 60;
      if (t.endsWith("s")) return Long.parseLong(t.substring(0, t.length() - 1));
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new Usage("not a duration: '" + text + "' (use e.g. 30d, 12h, 90m or seconds)");
    }
  }

  private static ObjectNode obj(String k, String v) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put(k, v);
    return n;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(admin + "/api/v1" + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json");
    if (body != null) {
      req.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failed(
          "cannot reach the admin API at "
              + admin
              + " ("
              + e.getClass().getSimpleName()
              + "); is the gateway running with an "
              + "'admin' section?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("interrupted");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(resp.body());
    } catch (IOException e) {
      throw new Failed(
          "the admin API answered " + resp.statusCode() + " with a body that is not JSON");
    }
    if (resp.statusCode() >= 400) {
      throw new Failed(
          n.path("message").asText("HTTP " + resp.statusCode())
              + " ("
              + n.path("errorCode").asText("")
              + ")");
    }
    return n;
  }

  /** {@code preview S.SC.T}: the sample endpoint's JSON rows as an aligned text table. */
  private void preview(String qualified, Map<String, List<String>> o) {
    String[] parts = qualified.split("\\.", -1);
    if (parts.length != 3 || List.of(parts).contains(""))
      throw new Usage("the table is SHARE.SCHEMA.TABLE, got '" + qualified + "'");
    StringBuilder path =
        new StringBuilder("/shares/")
            .append(enc(parts[0]))
            .append("/schemas/")
            .append(enc(parts[1]))
            .append("/tables/")
            .append(enc(parts[2]))
            .append("/sample?limit=")
            .append(enc(one(o, "--limit", "20")));
    String version = one(o, "--version", null);
    if (version != null) path.append("&version=").append(enc(version));
    print(call("GET", path.toString(), null), this::rowTable);
  }

  private static final int MAX_CELL = 40;

  private void rowTable(JsonNode sample) {
    List<String> columns = new ArrayList<>();
    try {
      for (JsonNode f : MAPPER.readTree(sample.path("schemaString").asText()).path("fields"))
        columns.add(f.path("name").asText());
    } catch (IOException e) {
      throw new Failed("the gateway answered a schema this CLI cannot read");
    }
    List<String[]> cells = new ArrayList<>();
    for (JsonNode row : sample.path("rows")) {
      String[] line = new String[columns.size()];
      for (int c = 0; c < line.length; c++) {
        JsonNode v = row.get(columns.get(c));
        String text =
            v == null || v.isNull() ? "null" : v.isValueNode() ? v.asText() : v.toString();
        text = text.replace('\n', ' ');
        line[c] = text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 1) + "…" : text;
      }
      cells.add(line);
    }
    int[] width = new int[columns.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = columns.get(c).length();
      for (String[] line : cells) width[c] = Math.max(width[c], line[c].length());
    }
    out.println(tableLine(columns.toArray(String[]::new), width));
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < width.length; c++) {
      if (c > 0) rule.append("-+-");
      rule.append("-".repeat(width[c]));
    }
    out.println(rule);
    for (String[] line : cells) out.println(tableLine(line, width));
    out.println(
        "("
            + cells.size()
            + (cells.size() == 1 ? " row" : " rows")
            + ", version "
            + sample.path("version").asLong()
            + (sample.path("truncated").asBoolean() ? ", truncated at the size limit" : "")
            + ")");
  }

  private static String tableLine(String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) sb.append(" | ");
      sb.append(cells[c]).append(" ".repeat(width[c] - cells[c].length()));
    }
    return sb.toString().stripTrailing();
  }

  private void print(JsonNode n, java.util.function.Consumer<JsonNode> readable) {
    if (json) out.println(pretty(n));
    else readable.accept(n);
  }

  private static String pretty(JsonNode n) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (IOException e) {
      return n.toString();
    }
  }

  private void shareTrees(JsonNode shares) {
    if (shares.isEmpty()) out.println("(no shares)");
    for (JsonNode s : shares) shareTree(s);
  }

  private void shareTree(JsonNode s) {
    out.println(
        s.path("name").asText()
            + "  ("
            + s.path("source").asText()
            + ", id "
            + s.path("id").asText()
            + ")");
    if (s.hasNonNull("displayName"))
      out.println("    display name: " + s.path("displayName").asText());
    if (s.hasNonNull("comment")) out.println("    comment: " + s.path("comment").asText());
    s.path("properties")
        .fields()
        .forEachRemaining(
            e -> out.println("    property " + e.getKey() + " = " + e.getValue().asText()));
    List<Map.Entry<String, JsonNode>> schemas = new ArrayList<>();
    s.path("schemas").fields().forEachRemaining(schemas::add);
    for (int i = 0; i < schemas.size(); i++) {
      boolean lastSchema = i == schemas.size() - 1;
      out.println((lastSchema ? "└── " : "├── ") + schemas.get(i).getKey());
      Iterator<Map.Entry<String, JsonNode>> tables = schemas.get(i).getValue().fields();
      while (tables.hasNext()) {
        Map.Entry<String, JsonNode> t = tables.next();
        String branch = tables.hasNext() ? "├── " : "└── ";
        JsonNode v = t.getValue();
        out.println(
            (lastSchema ? "    " : "│   ")
                + branch
                + t.getKey()
                + "  "
                + v.path("format").asText()
                + "  "
                + v.path("location").asText()
                + (v.path("historyShared").asBoolean() ? "  history" : ""));
      }
    }
  }

  private void tokenTable(JsonNode tokens) {
    if (tokens.isEmpty()) out.println("(no tokens)");
    for (JsonNode t : tokens) {
      out.println(
          t.path("id").asText()
              + "  "
              + t.path("status").asText()
              + "  created "
              + t.path("createdAt").asText()
              + (t.has("expiresAt") ? "  expires " + t.path("expiresAt").asText() : "")
              + (t.has("description") ? "  \"" + t.path("description").asText() + "\"" : ""));
    }
  }
}
