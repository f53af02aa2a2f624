// Internal to localdb: an in-memory B+ tree, the ordered structure behind every index.

interface Leaf<E> {
  leaf: true;
  items: E[];
  next: Leaf<E> | undefined;
  prev: Leaf<E> | undefined;
}

interface Inner<E> {
  leaf: false;
  /** keys[i] is the smallest entry of children[i + 1] when it was split off. */
  keys: E[];
  children: Array<Node<E>>;
}

type Node<E> = Leaf<E> | Inner<E>;

/** Length of the prefix of sorted `items` for which the monotone `pred` holds. */
function countWhile<E>(items: readonly E[], pred: (e: E) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(items[mid] as E)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A contiguous run of the order: `before` holds for a prefix of it (the entries ahead of
 * the run), `after` for a suffix (those past it).
 */
export interface SeekRange<E> {
  before(e: E): boolean;
  after(e: E): boolean;
}

/** countWhile(items, range.before), without a closure. */
function countBefore<E>(items: readonly E[], range: SeekRange<E>): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (range.before(items[mid] as E)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** countWhile(items, (e) => !range.after(e)), without a closure. */
function countNotAfter<E>(items: readonly E[], range: SeekRange<E>): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (!range.after(items[mid] as E)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `value` at `pos` of `items` (splice without the array of removed elements splice returns). */
function insertAt<T>(items: T[], pos: number, value: T): void {
  let i = items.length;
  items.push(value);
  for (; i > pos; i -= 1) items[i] = items[i - 1] as T;
  items[pos] = value;
}

/** Entries per node before it splits. */
const MAX_NODE = 64;

/**
 * A B+ tree of distinct entries under a total order, with linked leaves for range scans
 * in both directions. Deletion leaves nodes under-full rather than merging them: the
 * separators stay valid bounds, so lookups stay correct, and a development server does
 * not need the space back. Hand-written because no maintained npm package offers a
 * B+ tree with seek-by-predicate and reverse cursors (sorted-btree is close but its
 * range API cannot seek with a partial key).
 */
export class BTree<E> {
  readonly #compare: (a: E, b: E) => number;
  #root: Node<E>;
  #size = 0;

  constructor(compare: (a: E, b: E) => number) {
    this.#compare = compare;
    this.#root = { leaf: true, items: [], next: undefined, prev: undefined };
  }

  /** Bumped by every insert and delete: a scan paused across a change re-seeks. */
  version = 0;

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The inner nodes and child positions of the last descent, reused by every insert. */
  readonly #pathNodes: Array<Inner<E>> = [];
  readonly #pathIndexes: number[] = [];

  /** Inserts `entry`; returns false if an equal entry is present. */
  insert(entry: E): boolean {
    this.version += 1;
    // The descent is kept in two reused arrays and the entry shifted in by hand:
    // an insert allocates nothing unless a node splits (it runs for every index of
    // every written document).
    const pathNodes = this.#pathNodes;
    const pathIndexes = this.#pathIndexes;
    let depth = 0;
    let node = this.#root;
    while (!node.leaf) {
      const index = this.#childIndex(node, entry);
      pathNodes[depth] = node;
      pathIndexes[depth] = index;
      depth += 1;
      node = node.children[index] as Node<E>;
    }
    const items = node.items;
    const pos = this.#lowerBound(items, entry);
    if (pos < items.length && this.#compare(items[pos] as E, entry) === 0)
      return false;
    insertAt(items, pos, entry);
    this.#size += 1;
    if (items.length <= MAX_NODE) {
      pathNodes.fill(undefined as unknown as Inner<E>, 0, depth);
      return true;
    }
    // Split upward.
    let right: Node<E> = this.#splitLeaf(node);
    let separator = (right as Leaf<E>).items[0] as E;
    let left: Node<E> = node;
    for (let i = depth - 1; i >= 0; i -= 1) {
      const parent = pathNodes[i] as Inner<E>;
      const index = pathIndexes[i] as number;
      insertAt(parent.keys, index, separator);
      insertAt(parent.children, index + 1, right);
      if (parent.children.length <= MAX_NODE) {
        pathNodes.fill(undefined as unknown as Inner<E>, 0, depth);
        return true;
      }
      const mid = Math.floor(parent.keys.length / 2);
      const upKey = parent.keys[mid] as E;
      const sibling: Inner<E> = {
        leaf: false,
        keys: parent.keys.splice(mid + 1),
        children: parent.children.splice(mid + 1),
      };
      parent.keys.length = mid;
      left = parent;
      right = sibling;
      separator = upKey;
    }
    pathNodes.fill(undefined as unknown as Inner<E>, 0, depth);
    this.#root = { leaf: false, keys: [separator], children: [left, right] };
    return true;
  }

  /** Removes the entry equal to `entry`; returns false if absent. */
  delete(entry: E): boolean {
    this.version += 1;
    let node = this.#root;
    while (!node.leaf)
      node = node.children[this.#childIndex(node, entry)] as Node<E>;
    const pos = this.#lowerBound(node.items, entry);
    if (
      pos >= node.items.length ||
      this.#compare(node.items[pos] as E, entry) !== 0
    )
      return false;
    node.items.splice(pos, 1);
    this.#size -= 1;
    return true;
  }

  /**
   * Entries in ascending order from the first one for which `before` is false.
   * `before` must be true for a prefix of the order ("this entry is before the start").
   */
  *ascending(before: (e: E) => boolean = () => false): Generator<E> {
    let node = this.#root;
    while (!node.leaf) {
      node = node.children[countWhile(node.keys, before)] as Node<E>;
    }
    let leaf: Leaf<E> | undefined = node;
    let pos = countWhile(leaf.items, before);
    while (leaf !== undefined) {
      const items: E[] = leaf.items;
      for (; pos < items.length; pos += 1) yield items[pos] as E;
      leaf = leaf.next;
      pos = 0;
    }
  }

  /**
   * Entries in descending order from the last one for which `after` is false.
   * `after` must be true for a suffix of the order ("this entry is past the end").
   */
  *descending(after: (e: E) => boolean = () => false): Generator<E> {
    let node = this.#root;
    const notAfter = (e: E): boolean => !after(e);
    while (!node.leaf) {
      node = node.children[countWhile(node.keys, notAfter)] as Node<E>;
    }
    let leaf: Leaf<E> | undefined = node;
    let pos = countWhile(leaf.items, notAfter) - 1;
    while (leaf !== undefined) {
      const items: E[] = leaf.items;
      for (; pos >= 0; pos -= 1) yield items[pos] as E;
      leaf = leaf.prev;
      pos = (leaf?.items.length ?? 0) - 1;
    }
  }

  /**
   * The first entries `ascending(range.before)` gives, up to `max` of them and short of
   * the first past the range, read in one go: a short read (a point read, a page)
   * without the generators' per-entry overhead.
   */
  takeAscending(range: SeekRange<E>, max: number): E[] {
    const out: E[] = [];
    let node = this.#root;
    while (!node.leaf)
      node = node.children[countBefore(node.keys, range)] as Node<E>;
    let leaf: Leaf<E> | undefined = node;
    let pos = countBefore(leaf.items, range);
    while (leaf !== undefined && out.length < max) {
      const items: E[] = leaf.items;
      for (; pos < items.length && out.length < max; pos += 1) {
        const e = items[pos] as E;
        if (range.after(e)) return out;
        out.push(e);
      }
      leaf = leaf.next;
      pos = 0;
    }
    return out;
  }

  /** As takeAscending, in descending order from the last entry not past the range. */
  takeDescending(range: SeekRange<E>, max: number): E[] {
    const out: E[] = [];
    let node = this.#root;
    while (!node.leaf)
      node = node.children[countNotAfter(node.keys, range)] as Node<E>;
    let leaf: Leaf<E> | undefined = node;
    let pos = countNotAfter(leaf.items, range) - 1;
    while (leaf !== undefined && out.length < max) {
      const items: E[] = leaf.items;
      for (; pos >= 0 && out.length < max; pos -= 1) {
        const e = items[pos] as E;
        if (range.before(e)) return out;
        out.push(e);
      }
      leaf = leaf.prev;
      pos = (leaf?.items.length ?? 0) - 1;
    }
    return out;
  }

  #childIndex(node: Inner<E>, entry: E): number {
    // First child whose separator is greater than entry, minus one.
    let lo = 0;
    let hi = node.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(node.keys[mid] as E, entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #lowerBound(items: readonly E[], entry: E): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(items[mid] as E, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #splitLeaf(leaf: Leaf<E>): Leaf<E> {
    const mid = Math.floor(leaf.items.length / 2);
    const right: Leaf<E> = {
      leaf: true,
      items: leaf.items.splice(mid),
      next: leaf.next,
      prev: leaf,
    };
    if (leaf.next !== undefined) leaf.next.prev = right;
    leaf.next = right;
    return right;
  }
}
