import { describe, expect, it } from 'vitest';
import { prettyLogLine, wantsPrettyStdout } from './pretty-log.js';

describe('prettyLogLine', () => {
  it('shows a JSON log record as time, level, name, message and fields', () => {
    const time = new Date(2026, 0, 2, 12, 1, 2).getTime();
    const line = JSON.stringify({
      level: 40,
      time,
      pid: 7,
      hostname: 'mac',
      name: 'supervisor',
      model: 'qwen',
      msg: 'model state',
    });
    expect(prettyLogLine(line)).toBe('[12:01:02] WARN (supervisor): model state {"model":"qwen"}');
  });

  it("leaves other lines (a model server's own output) as they are", () => {
    expect(prettyLogLine('INFO: Uvicorn running on http://127.0.0.1:10300')).toBe(
      'INFO: Uvicorn running on http://127.0.0.1:10300',
    );
  });
});

describe('wantsPrettyStdout', () => {
  it('follows MLX_GATEWAY_LOG_FORMAT before the terminal test', () => {
    expect(wantsPrettyStdout({ MLX_GATEWAY_LOG_FORMAT: 'json' })).toBe(false);
    expect(wantsPrettyStdout({ MLX_GATEWAY_LOG_FORMAT: 'pretty' })).toBe(true);
    expect(wantsPrettyStdout({})).toBe(process.stdout.isTTY === true);
  });
});
