// Preloaded (`--import`) into a benchmarked gateway started with `--expose-gc`: one full
// collection MLX_BENCH_GC_AT_MS after start, under load, as every long-running gateway meets
// (pinned-pair-main.js `--gc-at`; docs/benchmarks.md, "tenth look").
const at = Number(process.env.MLX_BENCH_GC_AT_MS);
const gc = (globalThis as { gc?: () => void }).gc;
if (Number.isFinite(at) && at > 0 && gc !== undefined) setTimeout(gc, at).unref();
