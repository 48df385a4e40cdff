// Reading Chromium traces (browser.startTracing's JSON), shared by the scripts that trace.

/** A thread's top-level task: summing only these counts no time twice (slices nest). */
export const isTopLevelTask = (e) => e.ph === "X" && e.dur > 0 && ["ThreadControllerImpl::RunTask", "RunTask"].includes(e.name);

/** The `pid:tid` keys of the threads the trace names `name` (e.g. "CrRendererMain"). */
export const threadsNamed = (events, name) =>
  new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === name).map((e) => `${e.pid}:${e.tid}`));
