import { SupervisorClient, type ModelInfo } from '@mlx-gateway/protocol';
import { join } from 'node:path';
import {
  Cleanup,
  freePort,
  portRanges,
  registeredChildren,
  startProxyProcess,
  startSupervisor,
  tempHome,
  writeConfig,
  type RunningProcess,
} from './processes.js';
import { waitUntil } from './wait.js';

/** A gateway home with a config, and helpers to run its processes; everything is cleaned up by `stop()`. */
export class TestGateway {
  readonly home = tempHome();
  readonly cleanup = new Cleanup();
  supervisor?: RunningProcess;
  proxy?: RunningProcess & { url: string };
  private client?: SupervisorClient;

  constructor() {
    this.cleanup.dir(this.home);
  }

  /** Writes the config: `supervisorYaml` lines go under `supervisor:`, `modelsYaml` under `models:`. */
  async configure(modelsYaml: string, supervisorYaml = ''): Promise<void> {
    const port = await freePort();
    writeConfig(
      this.home,
      `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
${supervisorYaml}
models:
${modelsYaml}`,
    );
  }

  async startSupervisor(): Promise<RunningProcess> {
    this.supervisor = await startSupervisor(this.home);
    this.cleanup.group(this.supervisor.pid);
    return this.supervisor;
  }

  async startProxy(): Promise<string> {
    this.proxy = await startProxyProcess(this.home);
    this.cleanup.group(this.proxy.pid);
    return this.proxy.url;
  }

  control(): SupervisorClient {
    this.client ??= new SupervisorClient({
      endpoint: `ipc://${join(this.home, 'run', 'control.sock')}`,
      timeoutMs: 60_000,
    });
    return this.client;
  }

  async model(name: string): Promise<ModelInfo> {
    const snap = await this.control().request({ cmd: 'status' }, { timeoutMs: 5_000 });
    const m = snap.models.find((x) => x.name === name);
    if (!m) throw new Error(`no model ${name}`);
    return m;
  }

  waitForState(name: string, state: ModelInfo['state'], timeoutMs = 15_000): Promise<ModelInfo> {
    return waitUntil(
      async () => {
        const m = await this.model(name);
        return m.state === state ? m : undefined;
      },
      `${name} to be ${state}`,
      timeoutMs,
    );
  }

  children() {
    return registeredChildren(this.home);
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    await this.cleanup.run(this.children().map((c) => c.pid));
  }
}
