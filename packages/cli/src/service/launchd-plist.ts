import { build } from 'plist';
import type { ServiceSpec } from './service-spec.js';

/**
 * A launchd user agent for the service, as property-list XML. The `plist` library writes the
 * XML (escaping &, <, > in every string), so paths with spaces or quotes go through as they
 * are: ProgramArguments is an argv array, never a shell line.
 *
 * - RunAtLoad: start at login (and when loaded).
 * - KeepAlive.SuccessfulExit false: start again after a crash, not after `mlx-gateway down`
 *   (which ends `up` with exit 0).
 * - ProcessType Interactive: no background throttling of the CPU and I/O a model server needs.
 */
export function launchdPlist(spec: ServiceSpec): string {
  return build({
    Label: spec.name,
    ProgramArguments: spec.argv,
    EnvironmentVariables: spec.env,
    WorkingDirectory: spec.home,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ProcessType: 'Interactive',
    StandardOutPath: spec.logFile,
    StandardErrorPath: spec.logFile,
  });
}
