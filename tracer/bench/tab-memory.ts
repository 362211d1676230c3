// The memory of a chromium tab, as the machine sees it: the resident set of the renderer
// process, which holds the page and its dedicated workers (the loader's), typed arrays and all.
// performance.memory would count only the page's own JS heap. Sampled while a trace loads, so the
// peak (the trace's text, batches in flight) is caught, not just what is left at the end.
import { readdirSync, readFileSync } from 'node:fs';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The renderer processes of the chromium that runs with this profile directory (a child sets its
 * title to its whole command line, one string: the flags are found as words in it). */
function renderers(profile: string): number[] {
  const words = (pid: string) => (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      const args = words(pid);
      return args.includes('--type=renderer') && args.includes(`--user-data-dir=${profile}`);
    })
    .map(Number);
}

function residentMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples the largest renderer's resident memory every `everyMs` until stopped; stop() gives the peak in MiB. */
export function sampleTabMemory(profile: string, everyMs = 100): { stop(): number } {
  let peak = 0;
  let pids = renderers(profile);
  const sample = () => {
    if (pids.length === 0 || pids.some((pid) => residentMiB(pid) === 0)) pids = renderers(profile);
    for (const pid of pids) peak = Math.max(peak, residentMiB(pid));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Math.round(peak);
    },
  };
}
