import type { CompatibilityRequest, CompatibilityRoute } from '../http/compatibility-routes.js';
import type { CollectorInstance } from './collector-instance.js';

/** A compatibility-route request resolved to the one configured instance it names, and the subset to collect. */
export interface ResolvedCompatibilityRequest {
  readonly instance: CollectorInstance;
  readonly subset: readonly string[];
}

/** Why a compatibility-route request is not served: the message and the HTTP status. */
export interface CompatibilityRefusal {
  readonly refused: string;
  readonly status: 400 | 401 | 404;
}

/** The compatibility routes of the enabled collectors, each once (instances of a collector share their plugin's). */
export function listCompatibilityRoutes(instances: readonly CollectorInstance[]): CompatibilityRoute[] {
  const routes = new Map<string, CompatibilityRoute>();
  for (const instance of instances) {
    const declared = instance.compatibilityRoutes;
    if (declared === undefined) continue;
    for (const route of Object.keys(declared.routes)) {
      routes.set(`${instance.collectorName}/${route}`, { collector: instance.collectorName, route, instanceParameter: declared.instanceParameter });
    }
  }
  return [...routes.values()];
}

/**
 * Finds the configured instance a compatibility-route request names by its instance parameter
 * (compared with the instance's config value, exactly), then lets its collector accept or refuse a
 * bearer token the request carries. Only configured instances are ever selected: a value nothing
 * is configured with is refused before anything is contacted.
 */
export async function resolveCompatibilityRequest(
  instances: readonly CollectorInstance[],
  request: CompatibilityRequest,
  bearerCheckTimeoutMs: number,
): Promise<ResolvedCompatibilityRequest | CompatibilityRefusal> {
  const candidates = instances.filter((instance) => instance.collectorName === request.collector);
  const routes = candidates[0]?.compatibilityRoutes;
  const subset = routes?.routes[request.route];
  if (routes === undefined || subset === undefined) return { refused: `collector ${request.collector} has no route ${request.route}`, status: 404 };
  const { instanceParameter, instanceConfigKey } = routes;
  const instance = candidates.find((candidate) => candidate.configValue(instanceConfigKey) === request.instanceValue);
  if (instance === undefined) {
    const configured = candidates.map((candidate) => candidate.configValue(instanceConfigKey)).filter((value): value is string => typeof value === 'string');
    return {
      refused: `${instanceParameter} ${JSON.stringify(request.instanceValue)} is not a configured ${request.collector} ${instanceConfigKey}: configured are ${configured.join(', ') || 'none'}`,
      status: 400,
    };
  }
  if (request.bearerToken !== undefined) {
    const reason = request.bearerToken === '' ? 'the bearer token is empty' : await instance.checkBearerToken(request.bearerToken, bearerCheckTimeoutMs);
    if (reason !== undefined) return { refused: `bearer token refused for ${request.collector}/${instance.instance}: ${reason}`, status: 401 };
  }
  return { instance, subset };
}
