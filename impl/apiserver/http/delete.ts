/**
 * DELETE: the options come from the query (`gracePeriodSeconds`, `propagationPolicy`) and
 * from a `DeleteOptions` body (those and `preconditions`), as client libraries send either.
 * The reply is Kubernetes': a pod's last state; for other kinds the object while it is
 * still stored (deleting in the foreground, held by finalizers), else a Success Status.
 */
import type { ApiServer } from '../api-server.js';
import type { DeleteRequest } from '../types.js';
import { type Json, numberField, objectField, parseObject, stringField } from './body.js';
import { parseCount } from './query.js';
import { detailsOf, replyOf } from './replies.js';
import { badRequest, invalidValue, type Reply, successStatus } from './status.js';
import type { VerbRequest } from './verbs.js';

type Options = Pick<DeleteRequest, 'gracePeriodSeconds' | 'preconditions' | 'propagationPolicy'>;

const POLICIES = ['Background', 'Foreground'] as const;

const bodyOf = (text: string): Json => {
  if (text.trim() === '') return {};
  const body = parseObject(text);
  if (body.kind !== undefined && body.kind !== 'DeleteOptions')
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match DeleteOptions`);
  return body;
};

const graceOf = (query: URLSearchParams, body: Json): number | undefined => {
  const fromBody = numberField(body.gracePeriodSeconds, 'gracePeriodSeconds');
  if (fromBody !== undefined && (!Number.isInteger(fromBody) || fromBody < 0))
    throw badRequest(`invalid value for gracePeriodSeconds: ${fromBody}`);
  return fromBody ?? parseCount(query.get('gracePeriodSeconds'), 'gracePeriodSeconds');
};

const policyOf = (query: URLSearchParams, body: Json): Options['propagationPolicy'] => {
  const policy =
    stringField(body.propagationPolicy, 'propagationPolicy') ??
    query.get('propagationPolicy') ??
    undefined;
  if (policy === undefined || policy === '') return undefined;
  if (!(POLICIES as readonly string[]).includes(policy)) {
    throw invalidValue(
      'propagationPolicy',
      `Unsupported value: ${JSON.stringify(policy)}: supported values: "Background", "Foreground"`,
    );
  }
  return policy as (typeof POLICIES)[number];
};

const preconditionsOf = (body: Json): Options['preconditions'] => {
  const preconditions = objectField(body.preconditions, 'preconditions');
  if (!preconditions) return undefined;
  const uid = stringField(preconditions.uid, 'preconditions.uid');
  const resourceVersion = stringField(
    preconditions.resourceVersion,
    'preconditions.resourceVersion',
  );
  return { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
};

const optionsOf = (query: URLSearchParams, text: string): Options => {
  const body = bodyOf(text);
  const gracePeriodSeconds = graceOf(query, body);
  const propagationPolicy = policyOf(query, body);
  const preconditions = preconditionsOf(body);
  return {
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
    ...(propagationPolicy ? { propagationPolicy } : {}),
    ...(preconditions ? { preconditions } : {}),
  };
};

export const deleteVerb = (api: ApiServer, request: VerbRequest): Reply => {
  const { target, client } = request;
  const { kind } = target.resource;
  const namespace = target.namespace ?? '';
  const name = target.name as string;
  const response = api.handle({
    verb: 'delete',
    kind,
    namespace,
    name,
    client,
    ...optionsOf(request.query, request.body),
  });
  if (!response.ok || kind === 'Pod' || api.lookup(kind, namespace, name))
    return replyOf(target, response);
  const uid = response.object.metadata?.uid;
  return { code: 200, body: successStatus(200, { ...detailsOf(target), ...(uid ? { uid } : {}) }) };
};
