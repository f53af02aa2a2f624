// Internal to localdb: how documents cross between BSON bytes and the JS values mingo works on.
import {
  deserialize,
  serialize,
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

/** A document to BSON bytes. `undefined` fields are left out, as MongoDB has no such value. */
export function encodeDocument(doc: Document): Uint8Array {
  return serialize(doc, { ignoreUndefined: true });
}

/**
 * A deep copy that keeps ObjectId, Decimal128, Long and Binary as their classes.
 * structuredClone would turn them into plain objects, so the copy goes through BSON.
 */
export function cloneDocument<T extends Document>(doc: T): T {
  return decodeDocument(encodeDocument(doc)) as T;
}
