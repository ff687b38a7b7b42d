/**
 * The session logic of a direct link (protocol.md §4–§5), as pure functions over plain data
 * that any stage machine's context can hold. Every stage uses it:
 *
 * - `client.ts`: one `ClientLink` per downstream: epochs `<stage>#<incarnation>.<counter>`,
 *   phases disconnected → handshaking → syncing → connected, reply epoch check
 *   (`clientReplyCheck`), retry timer (`retryTimer(linkId)`), re-handshake on
 *   epochMismatch / notReady / timeout.
 * - `server.ts`: `ServerLinks`, one current epoch per source: handshake installs it
 *   (`monotoneEpochs`) and replies with the snapshot; admission (`serverEpochCheck`) and the
 *   fence (`fence: exclusive | none`, queued messages applied on `applyTimer(source)`);
 *   bottom-up recovery (`answersHandshakes`, `notReady`).
 * - `round2.ts`: adopt / re-send / forget / re-create / discard (`round2`, `lostIdentity`,
 *   `round2Read` with `PendingRound2` for quorum reads).
 *
 * Functions return the new state and the `Effect`s to emit, including the `applied` events
 * (`admit`, `apply`, `handshake`, `reply`, `sync`) exactly as the model records them, so the
 * catalogue's step properties (epoch-fencing, snapshot-complete) read the same thing.
 *
 * Typical server use (in a machine's handler for a data message):
 *   const a = admit(ctx.links, self, msg, sw);           // emits admit (+ epochMismatch)
 *   if (a.verdict === 'apply') { emit(applyEvent(a.links, self, msg)); applyEntries(...) }
 *   if (isSync(msg)) emit(syncAck(msg));
 * Typical client use: startHandshake → acceptReply → planPodRound2 → finishRound1 →
 * onSyncAck; onEpochMismatch → startHandshake; retry timer → retryVerdict → startHandshake
 * (or, while round 2 waits for the stage's own reads, `rearmRetry`).
 */
export * from './client.js';
export * from './round2.js';
export * from './server.js';
