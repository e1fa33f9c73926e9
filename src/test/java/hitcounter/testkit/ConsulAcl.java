package hitcounter.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hitcounter.infra.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Consul ACLs (default deny) and gossip encryption as ops/start-local.sh and the lab set them
 * up, for the tests: the same policy files (deploy/consul/*.hcl), tokens with secrets chosen in
 * advance, the primary datacenter holding the master token, the others replicating tokens.
 */
public final class ConsulAcl {
  public final String master = UUID.randomUUID().toString();
  public final String agent = UUID.randomUUID().toString();
  public final String replication = UUID.randomUUID().toString();
  public final String gossipKey;
  private final String primary;

  public ConsulAcl(String primary) {
    this.primary = primary;
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.gossipKey = Base64.getEncoder().encodeToString(key);
  }

  /** The HCL of a server of {@code datacenter}. */
  public String hcl(String datacenter) {
    boolean isPrimary = datacenter.equals(primary);
    return "primary_datacenter = \"" + primary + "\"\n"
        + "encrypt = \"" + gossipKey + "\"\n"
        + "acl {\n  enabled = true\n  default_policy = \"deny\"\n  down_policy = \"extend-cache\"\n  enable_token_persistence = true\n"
        + "  enable_token_replication = true\n"
        + "  tokens {\n"
        + (isPrimary ? "    master = \"" + master + "\"\n" : "    replication = \"" + replication + "\"\n")
        + "    agent = \"" + agent + "\"\n  }\n}\n";
  }

  /** A server of {@code datacenter} with these ACLs; the fixture's own calls use the master token. */
  public ConsulServer server(String datacenter, Path dir) {
    return new ConsulServer(datacenter, dir).withHcl(hcl(datacenter), master);
  }

  /** Creates the agent, replication and node policies in the primary, and the agent and replication tokens. */
  public void bootstrap(ConsulServer primaryServer) {
    awaitNewAcls(primaryServer);
    policy(primaryServer, "agent", "agent-policy.hcl");
    policy(primaryServer, "replication", "replication-policy.hcl");
    policy(primaryServer, "hitcounter-node", "hitcounter-node-policy.hcl");
    token(primaryServer, agent, "agent", "agent token");
    token(primaryServer, replication, "replication", "replication token");
  }

  /**
   * Waits until the primary's ACL system has left legacy mode, as ops/consul-acl.sh does: Consul
   * 1.8 starts in it and answers 500 "legacy mode" to policy writes until its leader has
   * established the new ACLs (CI saw it once, right after the leader was elected).
   */
  private void awaitNewAcls(ConsulServer server) {
    Await.until("the ACL system of " + primary + " leaves legacy mode", java.time.Duration.ofSeconds(60), () ->
        server.send(HttpRequest.newBuilder(server.request("/v1/acl/token/self").build().uri()).header("X-Consul-Token", master).build())
            .statusCode() == 200);
  }

  /** A new global token with the node policy: what a datacenter's nodes use. */
  public String nodeToken(ConsulServer primaryServer, String description) {
    String secret = UUID.randomUUID().toString();
    token(primaryServer, secret, "hitcounter-node", description);
    return secret;
  }

  /** Creates the node token with secret {@code secret} again (after a restore took it away). */
  public void recreateNodeToken(ConsulServer primaryServer, String secret, String description) {
    token(primaryServer, secret, "hitcounter-node", description);
  }

  /** Deletes the token whose secret is {@code secret} (as a rotation does with the old one). */
  public void deleteToken(ConsulServer primaryServer, String secret) {
    HttpResponse<String> self = primaryServer.send(
        HttpRequest.newBuilder(primaryServer.request("/v1/acl/token/self").build().uri()).header("X-Consul-Token", secret).build());
    String accessor = Resources.json(self.body()).path("AccessorID").asText();
    expectOk(primaryServer.send(primaryServer.request("/v1/acl/token/" + accessor).DELETE().build()), "delete token");
  }

  private static void policy(ConsulServer server, String name, String file) {
    try {
      ObjectNode body = Json.mapper().createObjectNode()
          .put("Name", name)
          .put("Rules", Files.readString(Path.of("deploy", "consul", file)));
      expectOk(server.send(server.request("/v1/acl/policy").PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build()), "policy " + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void token(ConsulServer server, String secret, String policy, String description) {
    ObjectNode body = Json.mapper().createObjectNode().put("SecretID", secret).put("Description", description);
    body.putArray("Policies").addObject().put("Name", policy);
    expectOk(server.send(server.request("/v1/acl/token").PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build()), "token " + description);
  }

  private static void expectOk(HttpResponse<String> r, String what) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException(what + ": Consul answered " + r.statusCode() + " " + r.body());
    }
  }
}
