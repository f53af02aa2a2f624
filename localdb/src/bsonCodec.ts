// Internal to localdb: how documents cross between BSON bytes and the JS values mingo works on.
import {
  calculateObjectSize,
  deserialize,
  serialize,
  setInternalBufferSize,
  type DeserializeOptions,
  type Document,
} from 'bson';

/**
 * Int32, Double and any Long that fits in 53 bits become plain numbers, because
 * mingo compares only plain numbers as numbers. A Long beyond 2^53 stays a Long,
 * and Decimal128 and Binary stay as they are, so those round-trip exactly.
 */
export const DESERIALIZE_OPTIONS: DeserializeOptions = {
  promoteLongs: true,
  promoteValues: true,
  promoteBuffers: false,
  bsonRegExp: false,
};

/** BSON bytes to a document, with localdb's promotion rules. */
export function decodeDocument(bytes: Uint8Array): Document {
  return deserialize(bytes, DESERIALIZE_OPTIONS);
}

/** The bson library's shared serialization buffer size (its default, 17 MiB). */
const SHARED_BUFFER_SIZE = 17 * 1024 * 1024;

/** How far below the shared buffer's size a document must end to be trusted unmeasured. */
const UNMEASURED_MARGIN = 1024 * 1024;

/** BSON size of a document as encodeDocument writes it. */
export function documentSize(doc: Document): number {
  return calculateObjectSize(doc, { ignoreUndefined: true });
}

/**
 * A document to BSON bytes, of any size. `undefined` fields are left out, as MongoDB
 * has no such value. Journal records and replies can exceed the bson library's default
 * 17 MiB buffer (which throws past it), so the size is measured first, unless
 * `sizeBound`, an upper bound of the document's BSON size, says it fits.
 */
export function encodeDocument(doc: Document, sizeBound?: number): Uint8Array {
  // A caller that knows the document fits the shared buffer saves measuring it
  // (calculateObjectSize walks the whole document, as long as serialize itself).
  if (sizeBound !== undefined && sizeBound <= SHARED_BUFFER_SIZE)
    return serialize(doc, { ignoreUndefined: true });
  // Past its buffer the bson library either throws or, for a long string, returns a
  // truncated document about the buffer's length. Anything well short of that length
  // never reached the end of the buffer, so it is whole: only documents near or past
  // 17 MiB pay for measuring.
  if (sizeBound === undefined) {
    try {
      const bytes = serialize(doc, { ignoreUndefined: true });
      if (bytes.length < SHARED_BUFFER_SIZE - UNMEASURED_MARGIN) return bytes;
    } catch {
      // too large for the shared buffer: measured below
    }
  }
  const size = documentSize(doc);
  if (size <= SHARED_BUFFER_SIZE)
    return serialize(doc, { ignoreUndefined: true });
  // serialize() always goes through one shared buffer; grow it for this document only,
  // then give the memory back.
  setInternalBufferSize(size);
  try {
    return serialize(doc, { ignoreUndefined: true });
  } finally {
    setInternalBufferSize(SHARED_BUFFER_SIZE);
  }
}

/**
 * A deep copy that keeps ObjectId, Decimal128, Long and Binary as their classes.
 * structuredClone would turn them into plain objects, so the copy goes through BSON.
 */
export function cloneDocument<T extends Document>(doc: T): T {
  return decodeDocument(encodeDocument(doc)) as T;
}
