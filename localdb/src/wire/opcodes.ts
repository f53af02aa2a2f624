// Internal to localdb: wire-protocol constants.
// See https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/

/** Opcodes localdb reads or writes. */
export const OpCode = {
  OP_REPLY: 1,
  OP_QUERY: 2004,
  OP_COMPRESSED: 2012,
  OP_MSG: 2013,
} as const;

/** OP_MSG flag bits. */
export const MsgFlag = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const;

/** Size of the standard message header (messageLength, requestID, responseTo, opCode). */
export const HEADER_SIZE = 16;

/** Largest message accepted or sent, advertised in hello as maxMessageSizeBytes. */
export const MAX_MESSAGE_SIZE = 48_000_000;

/** Largest document, advertised in hello as maxBsonObjectSize. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** Largest write batch, advertised in hello as maxWriteBatchSize. */
export const MAX_WRITE_BATCH_SIZE = 100_000;
