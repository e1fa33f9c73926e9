package hitcounter.infra.consul;

/** A Consul read together with its X-Consul-Index, the token for the next blocking query. */
public record Indexed<T>(T value, long index) {}
