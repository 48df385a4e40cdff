// Reading Chromium traces (browser.startTracing's JSON), shared by the scripts that trace.

/** A thread's top-level task: summing only these counts no time twice (slices nest). */
export const isTopLevelTask = (e) => e.ph === "X" && e.dur > 0 && ["ThreadControllerImpl::RunTask", "RunTask"].includes(e.name);

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
