/**
 * The real-time runtime: the same stage machines and the same sim pieces, driven against
 * the wall clock with JSON paid on the wire (`RealtimeDriver`, `RealtimeClock`,
 * `JsonWire`). `createRealtimeCluster` builds one, warmed up on virtual time.
 */
export { RealtimeClock } from './clock.js';
export { createRealtimeCluster, REALTIME_LATENCIES, type RealtimeCluster } from './cluster.js';
export { type DriveEnd, type DriveOptions, RealtimeDriver } from './driver.js';
export { JsonWire, type WireTally } from './wire.js';
