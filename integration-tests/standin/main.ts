// The stand-in process for `mlx-openai-server launch ...`: banner, handler process, simulated
// model load with heartbeats (the port stays closed meanwhile), then the HTTP server; SIGTERM and
// SIGINT stop it with exit code 0 unless MLX_STANDIN_IGNORE_SIGTERM=1.
import { constants } from 'node:os';
import { BehaviourError, behaviourFromEnv, type Behaviour } from './behaviour.js';
import { parseLaunchArgs, type LaunchOptions } from './cli.js';
import { spawnHandler, type HandlerProcess } from './handler-process.js';
import { startLoading, type Loading } from './loading.js';
import { createProcessLog, type ProcessLog } from './process-log.js';
import { holdResidentMemory } from './resident-memory.js';
import { createStandinServer, type StandinServer } from './server.js';

const STANDIN_VERSION = '1.8.0';

function banner(log: ProcessLog, options: LaunchOptions): void {
  const rule = '━'.repeat(42);
  log.app('INFO', rule);
  log.app('INFO', `✨ MLX Server v${STANDIN_VERSION} Starting ✨`);
  log.app('INFO', rule);
  log.app('INFO', `🔮 Model Path: ${options.modelPath}`);
  log.app('INFO', `🔮 Model Type: ${options.modelType}`);
  if (options.contextLength !== undefined) {
    log.app('INFO', `🔮 Context Length: ${options.contextLength}`);
  }
  log.app('INFO', `🌐 Host: ${options.host}`);
  log.app('INFO', `🔌 Port: ${options.port}`);
  log.app('INFO', `⏱️ Queue Timeout: ${options.queueTimeout} seconds`);
  log.app('INFO', `📊 Queue Size: ${options.queueSize}`);
  if (options.enableAutoToolChoice) log.app('INFO', '🔧 Auto Tool Choice: Enabled');
  if (options.toolCallParser) log.app('INFO', `🔧 Tool Call Parser: ${options.toolCallParser}`);
  if (options.reasoningParser) log.app('INFO', `🔧 Reasoning Parser: ${options.reasoningParser}`);
  log.app('INFO', `📝 Log Level: ${options.logLevel}`);
  log.app('INFO', rule);
}

/** A traceback shaped like a Python one, for MLX_STANDIN_FAIL=crash-during-load. */
function traceback(options: LaunchOptions): string[] {
  return [
    'Process SpawnProcess-1:',
    'Traceback (most recent call last):',
    '  File "/opt/mlx/lib/python3.11/multiprocessing/process.py", line 314, in _bootstrap',
    '    self.run()',
    '  File "/opt/mlx/lib/python3.11/site-packages/app/core/handler_process.py", line 97, in run',
    `    handler = load_model(${JSON.stringify(options.modelPath)})`,
    '  File "/opt/mlx/lib/python3.11/site-packages/mlx_lm/utils.py", line 188, in load_model',
    '    model.load_weights(list(weights.items()))',
    'RuntimeError: [metal::malloc] Attempting to allocate 34359738368 bytes which is greater than the maximum allowed buffer size of 28991029248 bytes.',
  ];
}

function bindError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const reasons: Record<string, string> = {
    EADDRINUSE: 'address already in use',
    EADDRNOTAVAIL: "can't assign requested address",
    EACCES: 'permission denied',
  };
  const code = error.code ?? '';
  const errno = (constants.errno as Record<string, number>)[code] ?? error.errno ?? 0;
  return `[Errno ${errno}] error while attempting to bind on address ('${host}', ${port}): ${reasons[code] ?? error.message}`;
}

/** One run of the stand-in: its options, log and where it is in its life. */
interface Run {
  options: LaunchOptions;
  behaviour: Behaviour;
  log: ProcessLog;
  modelId: string;
  state: {
    phase: 'starting' | 'loading' | 'serving' | 'stopping';
    handler?: HandlerProcess;
    loading?: Loading;
    server?: StandinServer;
  };
  /** Stops the handler process and exits with `code`. */
  exit: (code: number) => never;
}

/** SIGTERM (unless ignored) and SIGINT stop the loading or the server, log like uvicorn, exit 0. */
function stopOnSignals(run: Run): void {
  const { log, state } = run;
  const shutdown = async (code: number): Promise<void> => {
    if (state.phase === 'stopping') return;
    const wasServing = state.phase === 'serving';
    state.phase = 'stopping';
    state.loading?.cancel();
    if (wasServing) log.uvicorn('INFO', 'Shutting down');
    await state.server?.close();
    log.uvicorn('INFO', 'Waiting for application shutdown.');
    if (state.handler) log.app('INFO', `Stopping handler process (pid=${state.handler.pid})`);
    log.uvicorn('INFO', 'Application shutdown complete.');
    log.uvicorn('INFO', `Finished server process [${process.pid}]`);
    run.exit(code);
  };

  process.on('SIGTERM', () => {
    if (run.behaviour.process.ignoreSigterm) {
      log.app('WARNING', 'Received SIGTERM; ignoring it (MLX_STANDIN_IGNORE_SIGTERM=1)');
      return;
    }
    void shutdown(0);
  });
  process.on('SIGINT', () => void shutdown(0));
}

/** Opens the HTTP server once the model is loaded; a bind error ends the process. */
function listen(run: Run): void {
  const { options, log, state } = run;
  const server = createStandinServer({
    modelId: run.modelId,
    modelType: options.modelType,
    behaviour: run.behaviour.request,
    defaultMaxTokens: options.maxTokens,
    accessLog: (line) => log.access(line),
  });
  state.server = server;
  server.listen(options.port, options.host).then(
    () => {
      if (state.phase !== 'loading') return;
      state.phase = 'serving';
      log.uvicorn(
        'INFO',
        `Uvicorn running on http://${options.host}:${options.port} (Press CTRL+C to quit)`,
      );
    },
    (error: NodeJS.ErrnoException) => {
      log.uvicorn('ERROR', bindError(error, options.host, options.port));
      run.exit(1);
    },
  );
}

/** The simulated model load: heartbeats, then the server, or a crash or failure as configured. */
function loadModel(run: Run): void {
  const { options, log, modelId } = run;
  const { rssMb } = run.behaviour.process;
  if (rssMb > 0) {
    const bytes = holdResidentMemory(rssMb);
    log.app('INFO', `Loaded weights of '${modelId}' into ${bytes} bytes of memory`);
  }
  run.state.loading = startLoading(run.behaviour.process, {
    progress: (elapsedMs) =>
      log.app(
        'INFO',
        `Waiting for handler process to load model '${modelId}'... (${(elapsedMs / 1000).toFixed(1)}s elapsed)`,
      ),
    crash: () => {
      log.raw(traceback(options));
      log.app('ERROR', `Handler process for model '${modelId}' exited during load (exitcode=1)`);
      log.uvicorn('ERROR', 'Application startup failed. Exiting.');
      run.exit(1);
    },
    failed: () => {
      log.app(
        'ERROR',
        `Failed to load model '${options.modelPath}': handler process did not become ready`,
      );
      log.uvicorn('ERROR', 'Application startup failed. Exiting.');
      run.exit(0);
    },
    ready: () => {
      log.app('INFO', `Model '${modelId}' spawned and registered successfully`);
      log.uvicorn('INFO', 'Application startup complete.');
      listen(run);
    },
  });
}

async function run(options: LaunchOptions, behaviour: Behaviour): Promise<void> {
  const log = createProcessLog({
    stdout: process.stdout,
    stderr: process.stderr,
    logFile: options.noLogFile ? undefined : options.logFile,
  });
  const state: Run['state'] = { phase: 'starting' };
  const exit: (code: number) => never = (code) => {
    state.handler?.stop();
    process.exit(code);
  };
  const current: Run = {
    options,
    behaviour,
    log,
    modelId: options.servedModelName ?? options.modelPath,
    state,
    exit,
  };
  stopOnSignals(current);

  banner(log, options);
  log.app('INFO', 'Server configuration complete.');
  log.app('INFO', 'Starting Uvicorn server...');
  log.uvicorn('INFO', `Started server process [${process.pid}]`);
  log.uvicorn('INFO', 'Waiting for application startup.');

  let handler: HandlerProcess;
  try {
    handler = await spawnHandler(behaviour.process.grandchild);
    state.handler = handler;
  } catch (error) {
    log.app('ERROR', `Failed to spawn handler process: ${(error as Error).message}`);
    log.uvicorn('ERROR', 'Application startup failed. Exiting.');
    exit(1);
  }
  if (state.phase !== 'starting') return;
  state.phase = 'loading';
  log.app('INFO', `Spawned handler process for model '${current.modelId}' (pid=${handler.pid})`);
  loadModel(current);
}

function main(argv: readonly string[]): void {
  const outcome = parseLaunchArgs(argv);
  if (outcome.kind === 'usage-error') {
    process.stderr.write(outcome.stderr);
    process.exit(outcome.exitCode);
  }
  if (outcome.kind === 'help') {
    process.stdout.write(outcome.text);
    process.exit(0);
  }
  let behaviour: Behaviour;
  try {
    behaviour = behaviourFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof BehaviourError)) throw error;
    process.stderr.write(`mlx-openai-server stand-in: invalid environment: ${error.message}\n`);
    process.exit(1);
  }
  void run(outcome.options, behaviour);
}

main(process.argv.slice(2));
