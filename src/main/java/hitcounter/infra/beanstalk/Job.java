package hitcounter.infra.beanstalk;

/** A reserved job: its id on its beanstalkd and its body. */
public record Job(long id, byte[] body) {}
