// Image work before a container starts: pull + unpack of a 3-layer image from a local registry
// (Debian's docker-registry on 127.0.0.1), cold (an empty cache) and warm (all cached: what
// every later `cttrace run` of it costs), beside the way there was before registry pulls:
// `skopeo copy docker://... oci:DIR` and cttrace's OCI layout path on the result.
//
//   node dist/tracer/bench/image-pull.js [RUNS]     this measurement alone
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { resolveImage } from '../../runtime/image/store.js';
import { push, startRegistry, writeLayout } from './local-registry.js';
import { nowMs, summarize, type Summary } from './stats.js';

export interface ImagePullResult {
  readonly runs: number;
  /** Bytes of the image's layers as stored (gzip). */
  readonly imageBytes: number;
  readonly cttraceCold: Summary;
  readonly cttraceWarm: Summary;
  /** skopeo copy to an OCI layout, then cttrace's oci: path unpacking it. */
  readonly skopeoCold: Summary;
  readonly skopeoCopy: Summary;
}

/** A tar of `dir`'s entries, as a build tool would write it. */
function tarOfDir(dir: string): Buffer {
  const file = `${dir}.tar`;
  tar.c({ cwd: dir, file, sync: true, portable: true }, ['.']);
  return readFileSync(file);
}

/** Three layers: a busybox rootfs, 4 MB of data (half of it incompressible), a few config files. */
function benchLayers(work: string): Buffer[] {
  const base = join(work, 'layer1');
  for (const sub of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(base, sub), { recursive: true });
  copyFileSync('/bin/busybox', join(base, 'bin/busybox'));
  chmodSync(join(base, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'true', 'cat', 'ls']) symlinkSync('busybox', join(base, 'bin', applet));
  writeFileSync(join(base, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const data = join(work, 'layer2');
  mkdirSync(join(data, 'srv'), { recursive: true });
  writeFileSync(join(data, 'srv/random.bin'), randomBytes(2 << 20));
  writeFileSync(join(data, 'srv/text.txt'), 'the same line again and again\n'.repeat(70_000));
  const config = join(work, 'layer3');
  mkdirSync(join(config, 'etc/app'), { recursive: true });
  for (let i = 0; i < 50; i++) writeFileSync(join(config, 'etc/app', `conf-${i}.ini`), `[section]\nkey=${i}\n`);
  return [tarOfDir(base), tarOfDir(data), tarOfDir(config)];
}

export async function measureImagePull(options: { runs: number; tmp: string; progress: (text: string) => void }): Promise<ImagePullResult> {
  const work = mkdtempSync(join(options.tmp, 'image-pull-'));
  const registry = await startRegistry(join(work, 'registry'));
  try {
    const layout = join(work, 'layout');
    writeLayout(layout, '1', [{ architecture: 'amd64', layers: benchLayers(work) }]);
    const reference = `${registry.host}/bench/three-layers:1`;
    await push(layout, '1', reference);
    const imageBytes = JSON.parse(readFileSync(join(layout, 'blobs/sha256', JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest.slice(7)), 'utf8')).layers.reduce((sum: number, layer: { size: number }) => sum + layer.size, 0);
    const cold: number[] = [];
    const warm: number[] = [];
    const skopeoCold: number[] = [];
    const skopeoCopy: number[] = [];
    const quiet = { progress: false, report: () => {} } as const;
    for (let round = -1; round < options.runs; round++) {
      const home = join(work, `home-${round + 1}`);
      let start = nowMs();
      await resolveImage(reference, { ...quiet, home });
      const coldMs = nowMs() - start;
      start = nowMs();
      await resolveImage(reference, { ...quiet, home });
      const warmMs = nowMs() - start;
      const copied = join(work, `oci-${round + 1}`);
      const skopeoHome = join(work, `skopeo-home-${round + 1}`);
      start = nowMs();
      const copy = spawnSync('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${reference}`, `oci:${copied}:1`], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (copy.status !== 0) throw new Error(`skopeo copy failed: ${copy.stderr}`);
      const copyMs = nowMs() - start;
      await resolveImage(`oci:${copied}:1`, { ...quiet, home: skopeoHome });
      const skopeoMs = nowMs() - start;
      for (const dir of [home, copied, skopeoHome]) rmSync(dir, { recursive: true, force: true });
      if (round >= 0) {
        cold.push(coldMs);
        warm.push(warmMs);
        skopeoCold.push(skopeoMs);
        skopeoCopy.push(copyMs);
      }
      options.progress('.');
    }
    return { runs: options.runs, imageBytes, cttraceCold: summarize(cold), cttraceWarm: summarize(warm), skopeoCold: summarize(skopeoCold), skopeoCopy: summarize(skopeoCopy) };
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 3);
  const result = await measureImagePull({ runs, tmp: tmpdir(), progress: (text) => process.stderr.write(text) });
  process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
}
