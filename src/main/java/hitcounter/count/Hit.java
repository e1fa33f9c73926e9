package hitcounter.count;

/** One hit as a worker sees it: the beanstalkd job that carries it and its page. */
public record Hit(long jobId, String page) {}
