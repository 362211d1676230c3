// Errors the user can act on: one line, naming what is wrong and how to fix it. The CLI prints
// `error.message` alone (no stack) for these.

/** A bad or unusable image reference, a corrupt or hostile archive, a failed unpack. */
export class ImageError extends Error {
  override name = 'ImageError';
}

/** A layer entry refused by the safe extractor; `entry` is the path as written in the tar. */
export class UnsafeEntryError extends ImageError {
  override name = 'UnsafeEntryError';
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`refused tar entry ${JSON.stringify(entry)}: ${reason}`);
  }
}

/** A bundle that cannot be made (bad option, command missing in the image, mount failure). */
export class BundleError extends Error {
  override name = 'BundleError';
}
