/**
 * API Server responses as HTTP replies: the object, a list in Kubernetes' list envelope
 * (with the resourceVersion to watch from), or a Status naming the object and resource.
 */
import type { ApiResponse } from '../types.js';
import { groupVersionOf, type Target } from './routes.js';
import { errorReply, type Reply, type StatusDetails } from './status.js';

export const detailsOf = (target: Target): StatusDetails => ({
  ...(target.name === undefined ? {} : { name: target.name }),
  group: target.resource.group,
  kind: target.resource.plural,
});

export const replyOf = (target: Target, response: ApiResponse): Reply => {
  if (!response.ok) return errorReply(response, detailsOf(target));
  if ('items' in response) {
    const { group, version, kind } = target.resource;
    return {
      code: 200,
      body: {
        apiVersion: groupVersionOf(group, version),
        kind: `${kind}List`,
        metadata: { resourceVersion: response.resourceVersion },
        items: response.items,
      },
    };
  }
  return { code: response.code, body: response.object };
};
