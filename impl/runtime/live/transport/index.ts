/** The stage-to-stage transport of the live runtime (docs/live.md, "Stage transport"). */
export {
  type Address,
  type AddressBook,
  formatAddress,
  LOOPBACK,
  parseAddress,
} from './address.js';
export {
  type CountersSnapshot,
  REFUSAL_STATUS,
  type RefusalReason,
  type SendFailure,
} from './counters.js';
export { MESSAGES_PATH } from './listener.js';
export { MessageSchema } from './schema.js';
export { SendError } from './sender.js';
export { generateToken, TOKEN_LENGTH_MIN } from './token.js';
export { StageTransport, type TransportOptions } from './transport.js';
