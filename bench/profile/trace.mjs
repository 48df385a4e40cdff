// Reading Chromium traces (browser.startTracing's JSON), shared by the scripts that trace.

/**
 * A thread's top-level task slice. Where Chromium writes both names around one task, both are
 * slices of it: `outermost` keeps one.
 */
export const isTopLevelTask = (e) => e.ph === "X" && e.dur > 0 && ["ThreadControllerImpl::RunTask", "RunTask"].includes(e.name);

/**
 * `tasks` (top-level task slices, longest first) less those inside another of them: Chromium
 * writes "RunTask" and "ThreadControllerImpl::RunTask" around the same task, one in the other.
 */
export const outermost = (tasks) =>
  tasks.filter((t, i) => !tasks.some((o, j) => j < i && o.pid === t.pid && o.tid === t.tid && o.ts <= t.ts && o.ts + o.dur >= t.ts + t.dur));

/** The `count` longest slices of `slices` inside `task` on its thread, as "name ms" text. */
export const longestInside = (slices, task, count = 6) => slices
  .filter((e) => e !== task && e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur)
  .sort((a, b) => b.dur - a.dur)
  .slice(0, count)
  .map((e) => `${e.name}${e.args?.data?.type ? `(${e.args.data.type})` : ""}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ""} ${(e.dur / 1000).toFixed(1)}`);

/** The `pid:tid` keys of the threads the trace names `name` (e.g. "CrRendererMain"). */
export const threadsNamed = (events, name) =>
  new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === name).map((e) => `${e.pid}:${e.tid}`));

/**
 * Run in the page (`page.evaluate`): marks the trace "atelier-epoch-0" when the train button is
 * pressed and "atelier-epoch-N" each time the page shows epoch N.
 */
export const markEpochs = () => {
  const metrics = document.querySelector('[data-testid="metrics"]');
  new MutationObserver(() => performance.mark(`atelier-epoch-${metrics.dataset.epoch}`)).observe(metrics, {
    attributes: true, attributeFilter: ["data-epoch"],
  });
  document.querySelector('[data-testid="train-button"]').addEventListener("click", () => performance.mark("atelier-epoch-0"), { capture: true });
};

/** The trace time of each epoch mark {@link markEpochs} left: epoch number -> ts (first one). */
export function epochMarks(events) {
  const marks = new Map();
  for (const e of events) {
    const m = /^atelier-epoch-(\d+)$/.exec(e.name || "");
    if (m && !marks.has(Number(m[1]))) marks.set(Number(m[1]), e.ts);
  }
  return marks;
}
