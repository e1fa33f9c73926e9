package hitcounter.infra.beanstalk;

/**
 * A reserved job: its id on its beanstalkd, its body, and the connection that reserved it (a
 * number the client gives each connection it opens). A reservation lives and dies with its
 * connection: commands on the job go through that connection or not at all.
 */
public record Job(long id, byte[] body, long connection) {}
