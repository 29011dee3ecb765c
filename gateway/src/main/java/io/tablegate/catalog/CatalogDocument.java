package io.tablegate.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The live catalog's stored state, typed: shares (with their schemas and tables), recipients and
 * tokens made through the admin API. Immutable; a change makes a new document ({@code with...}).
 * Names compare case-insensitively, as the protocol's do. A table is kept as its definition in the
 * configuration file's form (the {@link io.tablegate.config.ConfigLoader} validates it against the
 * running configuration), so a live table accepts exactly the keys a configured one does. Read and
 * written by {@link CatalogDocumentCodec}.
 */
public record CatalogDocument(
    List<Share> shares,
    List<Recipient> recipients,
    List<Token> tokens,
    List<Activation> activations) {
  public CatalogDocument(List<Share> shares, List<Recipient> recipients, List<Token> tokens) {
    this(shares, recipients, tokens, List.of());
  }

  /**
   * A single-use activation link: whoever opens it first gets a new token's profile; only the
   * SHA-256 of its code is kept. {@code share} or {@code recipient} is what the token will read.
   */
  public record Activation(
      String id,
      String sha256,
      String share,
      String recipient,
      String description,
      Instant createdAt,
      Instant expiresAt,
      Instant tokenExpiresAt,
      Instant usedAt) {
    public Activation used(Instant at) {
      return new Activation(
          id, sha256, share, recipient, description, createdAt, expiresAt, tokenExpiresAt, at);
    }

    public boolean open(Instant now) {
      return usedAt == null && now.isBefore(expiresAt);
    }
  }

  public CatalogDocument withActivations(List<Activation> next) {
    return new CatalogDocument(shares, recipients, tokens, next);
  }

  public CatalogDocument {
    activations = activations == null ? List.of() : List.copyOf(activations);
    shares = List.copyOf(shares);
    recipients = List.copyOf(recipients);
    tokens = List.copyOf(tokens);
  }

  public static final CatalogDocument EMPTY = new CatalogDocument(List.of(), List.of(), List.of());

  /**
   * A live share; {@code displayName}, {@code comment} and {@code properties} are shown to
   * recipients; {@code directoryAccess}: its tables in a store may hand out temporary credentials.
   */
  public record Share(
      String name,
      String id,
      List<Schema> schemas,
      String displayName,
      String comment,
      java.util.Map<String, String> properties,
      boolean directoryAccess,
      List<ObjectNode> policies) {
    public Share(
        String name,
        String id,
        List<Schema> schemas,
        String displayName,
        String comment,
        java.util.Map<String, String> properties) {
      this(name, id, schemas, displayName, comment, properties, false, List.of());
    }

    public Share {
      schemas = List.copyOf(schemas);
      policies =
          policies == null ? List.of() : policies.stream().map(ObjectNode::deepCopy).toList();
      properties =
          properties == null
              ? java.util.Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
    }

    public Share(String name, String id, List<Schema> schemas) {
      this(name, id, schemas, null, null, null);
    }

    public Share described(
        String displayName,
        String comment,
        java.util.Map<String, String> properties,
        boolean directoryAccess) {
      return new Share(
          name, id, schemas, displayName, comment, properties, directoryAccess, policies);
    }

    /** The share with these recipient policies (each as {@code TablePolicy.toJson} writes it). */
    public Share withPolicies(List<ObjectNode> next) {
      return new Share(name, id, schemas, displayName, comment, properties, directoryAccess, next);
    }

    public Optional<Schema> schema(String schema) {
      return schemas.stream().filter(s -> same(s.name(), schema)).findFirst();
    }

    public Share withSchemas(List<Schema> next) {
      return new Share(name, id, next, displayName, comment, properties, directoryAccess, policies);
    }
  }

  /**
   * @param tables each table's definition as in the configuration file ({@code name}, {@code
   *     location}, ...)
   */
  public record Schema(String name, List<ObjectNode> tables) {
    public Schema {
      tables = tables.stream().map(ObjectNode::deepCopy).toList();
    }

    @Override
    public List<ObjectNode> tables() {
      return tables.stream().map(ObjectNode::deepCopy).toList();
    }

    public boolean hasTable(String table) {
      return tables.stream().anyMatch(t -> same(t.path("name").asText(), table));
    }
  }

  /**
   * Tokens from {@code issuer} (for {@code audience}, when given) whose {@code claim} equals {@code
   * value}.
   */
  public record OidcMatch(String issuer, String audience, String claim, String value) {}

  /**
   * @param allowedNetworks the networks (CIDR) its requests may come from; empty: anywhere
   */
  public record Recipient(
      String name,
      List<String> shares,
      OidcMatch oidc,
      Instant createdAt,
      List<String> allowedNetworks) {
    public Recipient {
      shares = List.copyOf(shares);
      allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
    }

    public Recipient withShares(List<String> next) {
      return new Recipient(name, next, oidc, createdAt, allowedNetworks);
    }
  }

  /** A bearer token: only the SHA-256 of its secret is kept. */
  public record Token(
      String id,
      String sha256,
      List<String> shares,
      String recipient,
      String description,
      Instant createdAt,
      Instant expiresAt,
      Instant revokedAt,
      String rotatedFrom) {
    public Token {
      shares = List.copyOf(shares);
    }

    public Token revoked(Instant at) {
      return revokedAt != null
          ? this
          : new Token(
              id, sha256, shares, recipient, description, createdAt, expiresAt, at, rotatedFrom);
    }

    public Token expiring(Instant at) {
      return new Token(
          id, sha256, shares, recipient, description, createdAt, at, revokedAt, rotatedFrom);
    }

    public Token withShares(List<String> next) {
      return new Token(
          id, sha256, next, recipient, description, createdAt, expiresAt, revokedAt, rotatedFrom);
    }

    /** "revoked", "expired" or "active" at {@code now}. */
    public String status(Instant now) {
      return revokedAt != null
          ? "revoked"
          : expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
    }
  }

  static boolean same(String a, String b) {
    return a != null && b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
  }

  public Optional<Share> share(String name) {
    return shares.stream().filter(s -> same(s.name(), name)).findFirst();
  }

  public Optional<Recipient> recipient(String name) {
    return recipients.stream().filter(r -> same(r.name(), name)).findFirst();
  }

  public Optional<Token> token(String id) {
    return tokens.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  public CatalogDocument withShares(List<Share> next) {
    return new CatalogDocument(next, recipients, tokens, activations);
  }

  public CatalogDocument withRecipients(List<Recipient> next) {
    return new CatalogDocument(shares, next, tokens, activations);
  }

  public CatalogDocument withTokens(List<Token> next) {
    return new CatalogDocument(shares, recipients, next, activations);
  }

  /** This document with {@code share} replaced by {@code change} of it (by name). */
  public CatalogDocument mapShare(String name, UnaryOperator<Share> change) {
    return withShares(
        shares.stream().map(s -> same(s.name(), name) ? change.apply(s) : s).toList());
  }

  public CatalogDocument mapTokens(UnaryOperator<Token> change) {
    return withTokens(tokens.stream().map(change).toList());
  }

  public CatalogDocument mapRecipients(UnaryOperator<Recipient> change) {
    return withRecipients(recipients.stream().map(change).toList());
  }

  static <T> List<T> plus(List<T> list, T item) {
    List<T> out = new ArrayList<>(list);
    out.add(item);
    return out;
  }

  static <T> List<T> without(List<T> list, Predicate<T> drop) {
    return list.stream().filter(drop.negate()).toList();
  }
}
