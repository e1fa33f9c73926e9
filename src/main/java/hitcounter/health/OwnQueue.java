package hitcounter.health;

/**
 * This node's own queue as its beanstalkd reports it, whoever drains it: a queue where jobs wait
 * (ready, reserved or delayed) and none has been deleted for a while is stuck, even when no
 * worker looks at it (a rebalance in progress, a worker whose jobs are reserved and forgotten),
 * and the node that acknowledged those hits says so.
 */
public interface OwnQueue {
  /** The queue's id (the node's name). */
  String id();

  /** Seconds since jobs have been waiting with none deleted; 0 while the queue is empty or moving. */
  double stuckSeconds(long nowMillis);

  /** What waits, for the stall's detail. */
  String detail();

}
