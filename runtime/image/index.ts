// Images for cttrace run: references, the layer cache, safe unpacking. See store.ts.
export { resolveImage, shiftOf, type Image, type ResolveOptions } from './store.js';
export { parseReference, REFERENCE_HELP, type ImageReference } from './reference.js';
export { extractLayer, type ExtractOptions, type ExtractStats } from './safe-extract.js';
export { ImageError, UnsafeEntryError, BundleError } from './errors.js';
export { cttraceHome, DEFAULT_HOME, DEFAULT_ID_SHIFT, type IdShift } from './home.js';
export { type ImageConfig } from './formats.js';
export { makeProgress, type Progress } from './progress.js';
