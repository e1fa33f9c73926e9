package hitcounter.store;

/**
 * One datacenter's counts over the table's slots: {@code base} (from its snapshot shards) and
 * {@code pending} (from its journal entries not yet folded); a page's count there is base +
 * pending. {@code staged} holds a snapshot being installed (null otherwise). Counts take 4
 * bytes a slot until one needs more ({@link CountArray}). Guarded by the table's lock.
 */
final class CountColumn {
  final CountArray base;
  final CountArray pending;
  CountArray staged;

  CountColumn(int capacity) {
    base = new CountArray(capacity);
    pending = new CountArray(capacity);
  }

  long at(int slot) {
    return slot < base.length() ? base.get(slot) + pending.get(slot) : 0;
  }

  /** Makes room for {@code needed} slots (doubling). */
  void grow(int needed) {
    if (base.length() >= needed) {
      return;
    }
    int capacity = Math.max(needed, base.length() * 2);
    base.grow(capacity);
    pending.grow(capacity);
    if (staged != null) {
      staged.grow(capacity);
    }
  }

  long bytes() {
    return base.bytes() + pending.bytes() + (staged == null ? 0 : staged.bytes());
  }
}
