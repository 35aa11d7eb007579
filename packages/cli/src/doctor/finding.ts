/** One result of `mlx-gateway doctor`: what was checked, how it went, and the fix when it is not ok. */
export interface Finding {
  /** The area: config, model-server, ports, secrets, home, supervisor. */
  check: string;
  /** ok: nothing to do; warn: works, but worth knowing; fail: something will not work. */
  status: 'ok' | 'warn' | 'fail';
  message: string;
  /** What to do about it; present for warn and fail. */
  fix?: string;
}

export const ok = (check: string, message: string): Finding => ({ check, status: 'ok', message });
export const warn = (check: string, message: string, fix: string): Finding => ({
  check,
  status: 'warn',
  message,
  fix,
});
export const fail = (check: string, message: string, fix: string): Finding => ({
  check,
  status: 'fail',
  message,
  fix,
});
