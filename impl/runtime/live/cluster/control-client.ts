/**
 * The client of `kd up`'s control endpoint (control.ts), as `kd load` uses it: the address
 * and token come from up.json. Every failure is one line naming what went wrong: an endpoint
 * that does not answer (kd up gone), or the endpoint's own `{"error"}`.
 */
import type { ObjectKey } from '../../../../spec/types/ids.js';
import type { StatusAnswer } from './control.js';

/** How long one request may take; the endpoint answers at once or not at all. */
const REQUEST_TIMEOUT_MS = 10_000;

export class ControlClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Sets the loads; resolves once the endpoint accepted them (every function's load). */
  async setLoads(loads: Readonly<Record<ObjectKey, number>>): Promise<Record<ObjectKey, number>> {
    const answer = (await this.call('POST', '/v1/load', { loads })) as {
      loads: Record<ObjectKey, number>;
    };
    return answer.loads;
  }

  async status(): Promise<StatusAnswer> {
    return (await this.call('GET', '/v1/status')) as StatusAnswer;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // fetch fails with "fetch failed"; what happened is its cause.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? String(error);
      throw new Error(`kd up's control endpoint ${this.url} does not answer (${why})`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: ${response.status}, not JSON`);
    }
    if (!response.ok) {
      const message = (json as { error?: unknown }).error;
      throw new Error(`${method} ${path}: ${response.status} ${String(message ?? text.trim())}`);
    }
    return json;
  }
}
