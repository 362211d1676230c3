// `cttrace pull IMAGE`: fetch an image into the cache and unpack it, as `docker pull` (the
// registry is always asked; blobs and layers the cache has are not fetched again).
import { resolveImage } from '../../runtime/image/store.js';
import { checkImageOptions, type ImageOptions, remoteOptions } from './image-options.js';
import { needsRoot } from './image-cache-access.js';

export async function pullCommand(image: string, options: ImageOptions): Promise<number> {
  checkImageOptions(options);
  needsRoot('pull');
  await resolveImage(image, { ...remoteOptions(options), pull: 'always', report: (line) => process.stderr.write(`cttrace: ${line}\n`) });
  return 0;
}
