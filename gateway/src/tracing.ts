/**
 * Not the gateway itself: starts tracing before the modules it instruments
 * are loaded, which is why gateway/src/index.ts imports it first
 * (lib/runtime/tracing.ts).
 */
import { loadConfig } from '../../lib/runtime/config.js';
import { startTracing } from '../../lib/runtime/tracing.js';

startTracing({ service: 'gateway', enabled: loadConfig().tracing.enabled });
