// The viewer's WebAssembly modules come base64 inside the worker's code (web/wasm/build.mjs
// writes them into generated/): each is compiled once per worker, when first asked for.

/** A getter of the module `base64` holds, compiled on the first call; it gives null where
 * WebAssembly cannot be compiled (a policy forbids it): the caller then takes its JS path. */
export function wasmModuleOnce(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        const binary = atob(base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        compiled = new WebAssembly.Module(bytes);
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
}
