import type { z } from 'zod';
import { formatDuration } from '../units/duration.js';
import { defaultSupervisor } from './builtin-defaults.js';
import { compileEndpoint, ipcPathProblem } from './endpoint.js';
import { parseSection } from './parse-section.js';
import type { ProblemList } from './problem-list.js';
import { formatPortRange, rangesOverlap } from './schema-fields.js';
import { supervisorSchema } from './section-schemas.js';
import type { PortRange, ProxyConfig, SupervisorConfig } from './types.js';

/** `supervisor:` compiled over the built-in defaults; its problems go to `problems`. */
export function compileSupervisor(
  value: unknown,
  home: string,
  expandHome: (path: string) => string,
  problems: ProblemList,
): SupervisorConfig {
  const out = defaultSupervisor(home);
  const s = parseSection(supervisorSchema(), value, ['supervisor'], problems);

  compileEndpoints(out, s, expandHome, problems);
  if (!s) return out;

  if (s.curve) {
    const { serverPublicKey, serverSecretKey, clientPublicKey, clientSecretKey } = s.curve;
    out.curve = { serverPublicKey, serverSecretKey, clientPublicKey, clientSecretKey };
    if (s.curve.serverPublicKey === s.curve.clientPublicKey) {
      problems.add(
        ['supervisor', 'curve', 'clientPublicKey'],
        'must differ from serverPublicKey: the server and its client each have their own key pair',
      );
    }
  }
  if (s.maxLoadedModels !== undefined) out.maxLoadedModels = s.maxLoadedModels;
  if (s.memoryBudget !== undefined) out.memoryBudgetBytes = s.memoryBudget;
  if (s.keepModelsOnExit !== undefined) out.keepModelsOnExit = s.keepModelsOnExit;
  if (s.stopGrace !== undefined) out.stopGraceMs = s.stopGrace;
  if (s.drainTimeout !== undefined) out.drainTimeoutMs = s.drainTimeout;
  if (s.capacityWait !== undefined) out.capacityWaitMs = s.capacityWait;
  if (s.leaseTtl !== undefined) out.leaseTtlMs = s.leaseTtl;
  if (s.healthInterval !== undefined) out.healthIntervalMs = s.healthInterval;
  if (s.wedgedAfter !== undefined) out.wedgedAfter = s.wedgedAfter;

  checkRanges(out, s, problems);
  return out;
}

export function checkListenPort(
  proxy: ProxyConfig,
  supervisor: SupervisorConfig,
  problems: ProblemList,
): void {
  for (const [key, range] of [
    ['gateway', supervisor.gatewayPorts],
    ['operator', supervisor.operatorPorts],
  ] as const) {
    if (proxy.port >= range.from && proxy.port <= range.to) {
      problems.add(
        ['listen'],
        `port ${proxy.port} is inside supervisor.ports.${key} (${formatPortRange(range)}), which model servers use`,
        { value: proxy.port },
      );
    }
  }
}

type RawSupervisor = NonNullable<z.output<ReturnType<typeof supervisorSchema>>>;

/** The control and events endpoints (default: ipc sockets in the run directory). */
function compileEndpoints(
  out: SupervisorConfig,
  s: RawSupervisor | null | undefined,
  expandHome: (path: string) => string,
  problems: ProblemList,
): void {
  const endpoint = (
    key: 'control' | 'events',
    given: string | undefined,
    fallback: string,
  ): string => {
    if (given === undefined) {
      const tooLong = ipcPathProblem(fallback.slice('ipc://'.length));
      if (tooLong) {
        problems.add(
          ['supervisor', key],
          `the default endpoint ${fallback} does not work: ${tooLong}; set MLX_GATEWAY_HOME to a shorter directory or set supervisor.${key}`,
        );
      }
      return fallback;
    }
    const result = compileEndpoint(given, expandHome);
    if ('error' in result) {
      problems.add(['supervisor', key], result.error, { value: given });
      return fallback;
    }
    return result.endpoint;
  };
  out.controlEndpoint = endpoint('control', s?.control, out.controlEndpoint);
  out.eventsEndpoint = endpoint('events', s?.events, out.eventsEndpoint);
  if (out.controlEndpoint === out.eventsEndpoint) {
    problems.add(['supervisor', 'events'], 'must differ from supervisor.control', {
      value: s?.events,
    });
  }
}

/** Port ranges that must not overlap, and a backoff whose start is not above its maximum. */
function checkRanges(out: SupervisorConfig, s: RawSupervisor, problems: ProblemList): void {
  const gateway = s.ports?.gateway;
  const operator = s.ports?.operator;
  if (gateway) out.gatewayPorts = gateway;
  if (operator) out.operatorPorts = operator;
  if (rangesOverlap(out.gatewayPorts, out.operatorPorts)) {
    const show = (range: PortRange, given: boolean): string =>
      `${formatPortRange(range)}${given ? '' : ', the default'}`;
    problems.add(
      ['supervisor', 'ports'],
      `the gateway range (${show(out.gatewayPorts, gateway !== undefined)}) and the operator range ` +
        `(${show(out.operatorPorts, operator !== undefined)}) overlap; they must be separate`,
    );
  }

  if (s.failureBackoff?.initial !== undefined)
    out.failureBackoff.initialMs = s.failureBackoff.initial;
  if (s.failureBackoff?.max !== undefined) out.failureBackoff.maxMs = s.failureBackoff.max;
  if (out.failureBackoff.initialMs > out.failureBackoff.maxMs) {
    problems.add(
      ['supervisor', 'failureBackoff'],
      `initial (${formatDuration(out.failureBackoff.initialMs)}) is longer than max (${formatDuration(out.failureBackoff.maxMs)})`,
    );
  }
}
