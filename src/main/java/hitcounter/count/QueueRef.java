package hitcounter.count;

/** A beanstalkd queue of the datacenter: its stable id (the node that feeds it) and address. */
public record QueueRef(String id, String host, int port) {}
