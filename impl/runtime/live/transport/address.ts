/**
 * Where stages listen. Every stage process is started with an address book: the address of
 * each stage it talks to. The book is also the list of sources it accepts frames from, since
 * a stage answers every stage that sends to it (a server replies to its clients).
 */
import type { StageId } from '../../../../spec/types/ids.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * StageId → address. The transport reads it at every use, so a host that keeps its own
 * `Map` can add a kubelet's address when the node joins.
 */
export type AddressBook = ReadonlyMap<StageId, Address>;

/** Stages listen on loopback unless told otherwise: the direct hop is not meant for a network. */
export const LOOPBACK = '127.0.0.1';

/** `127.0.0.1:4001`, `[::1]:4001`, `localhost:4001`. */
export const parseAddress = (text: string): Address => {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`not an address (host:port): '${text}'`);
  return { host, port };
};

export const formatAddress = ({ host, port }: Address): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
