// Peak memory of Chromium's renderer processes (a tab and its workers; the GPU process, shared
// by all tabs, not counted), from Linux's /proc: VmHWM is the kernel's own high-water mark of
// resident memory, so nothing between two samples is missed.
import fs from "node:fs";

/** Process ids of the live renderer processes. */
export function renderers() {
  const pids = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmdline.includes("--type=renderer")) pids.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * The highest peak resident memory (MB) among live renderer processes not in `before` (those
 * that were there before the page opened); null off Linux.
 */
export function rendererPeakMb(before = new Set()) {
  let peakKb = null;
  for (const pid of renderers().filter((p) => !before.has(p))) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) peakKb = Math.max(peakKb ?? 0, Number(match[1]));
    } catch {
      // Gone.
    }
  }
  return peakKb === null ? null : peakKb / 1024;
}
