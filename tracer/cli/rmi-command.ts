// `cttrace rmi IMAGE...`: forget images, and remove their blobs and unpacked layers where no
// other image (nor a running container) uses them.
import { removeImage } from '../../runtime/image/cache.js';
import { cttraceHome } from '../../runtime/image/home.js';
import { formatBytes } from '../../runtime/image/progress.js';
import { needsRoot } from './image-cache-access.js';
import { print } from './output.js';

export async function rmiCommand(images: readonly string[]): Promise<number> {
  needsRoot('rmi');
  for (const image of images) {
    const { record, freed } = removeImage(cttraceHome(), image);
    print(process.stdout, `Untagged: ${record.name}\nDeleted: ${record.id} (${freed.layers} layers, ${freed.blobs} blobs, ${formatBytes(freed.bytes)} of blobs freed)\n`);
  }
  return 0;
}
