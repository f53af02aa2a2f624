// Internal to localdb: handshake and server-information commands.
import type { Document } from 'bson';
import {
  MAX_BSON_OBJECT_SIZE,
  MAX_MESSAGE_SIZE,
  MAX_WRITE_BATCH_SIZE,
} from '../wire/opcodes.js';
import type { CommandHandler } from './CommandContext.js';

/** The MongoDB version localdb presents (wire version 21 = MongoDB 7.0). */
export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;

/**
 * The hello reply of a standalone server. No `setName` (that would make it a
 * replica set), no `topologyVersion` (that switches the driver's monitor to
 * streaming) and no `compression` (OP_COMPRESSED is not offered).
 */
function helloReply(
  command: Document,
  connectionId: number,
  legacy: boolean,
): Document {
  const reply: Document = {
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
  if (command['helloOk'] === true) reply['helloOk'] = true;
  return reply;
}

const hello: CommandHandler = (command, ctx) =>
  helloReply(command, ctx.connectionId, false);
const isMaster: CommandHandler = (command, ctx) =>
  helloReply(command, ctx.connectionId, true);

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'localdb',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['localdb'],
  modules: [],
  javascriptEngine: 'none',
});

const startedAt = Date.now();

/** Commands about the server itself, by name. */
export const adminCommands: Record<string, CommandHandler> = {
  hello,
  isMaster,
  ismaster: isMaster,
  ping: () => ({}),
  buildInfo,
  buildinfo: buildInfo,
  getParameter: (command) => {
    const reply: Document = {};
    if (
      command['featureCompatibilityVersion'] !== undefined ||
      command['getParameter'] === '*'
    ) {
      reply['featureCompatibilityVersion'] = { version: '7.0' };
    }
    return reply;
  },
  getCmdLineOpts: () => ({ argv: ['localdb'], parsed: {} }),
  serverStatus: (_command, ctx) => ({
    host: 'localdb',
    version: SERVER_VERSION,
    process: 'localdb',
    pid: process.pid,
    uptime: Math.floor((Date.now() - startedAt) / 1000),
    localTime: new Date(),
    connections: { current: ctx.connectionId },
  }),
  hostInfo: () => ({
    system: { hostname: 'localdb' },
    os: { type: process.platform },
  }),
  whatsmyuri: (_command, ctx) => ({ you: ctx.remote }),
  connectionStatus: () => ({
    authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  }),
  getLog: () => ({ names: [], log: [], totalLinesWritten: 0 }),
  // Sessions are not tracked: every command is its own implicit session, as far as localdb cares.
  endSessions: () => ({}),
  killAllSessions: () => ({}),
  killSessions: () => ({}),
  refreshSessions: () => ({}),
};
