// The args object of a call: its decoded values keyed by argument name, in signature order (the
// order JSON shows them in), built by one function per signature that calls each argument's
// decoder by name and returns an object literal.
//
// Compiled, each decoder call is a call site that only ever sees that decoder (inlinable), and
// every call of a syscall makes its args with one hidden class in one allocation. Called through
// an array and filled into `{}` name by name instead, every decoder call shares one megamorphic
// site and every store goes through V8's keyed-store path: split + decode on the benchmark went
// from 1.72 to 1.97 M records/s (medians of 8 processes each way). The names enter the source
// only as JSON string literals and the decoders as the outer function's arguments, so nothing
// from signatures.in can be read as code; where code generation from strings is disallowed,
// the plain loop is used.
import type { ArgValue } from '../trace/records.js';
import type { ArgumentDecoder } from './arguments.js';
import type { CallArguments } from './call-arguments.js';

/** Decode a call's arguments into `values` (by index) and return its args object. */
export type ArgsDecoder = (call: CallArguments, values: ArgValue[]) => Record<string, ArgValue>;

function compiledDecoder(names: readonly string[], decoders: readonly ArgumentDecoder[]): ArgsDecoder {
  const parameters = decoders.map((_, index) => `d${index}`);
  const steps = decoders.map((_, index) => `const v${index} = d${index}(call, ${index}); values[${index}] = v${index};`);
  const fields = names.map((name, index) => `${JSON.stringify(name)}: v${index}`);
  const make = new Function(...parameters, `return function (call, values) { ${steps.join(' ')} return { ${fields.join(', ')} }; };`);
  return make(...decoders) as ArgsDecoder;
}

function loopingDecoder(names: readonly string[], decoders: readonly ArgumentDecoder[]): ArgsDecoder {
  return (call, values) => {
    const args: Record<string, ArgValue> = {};
    for (let index = 0; index < decoders.length; index++) args[names[index]!] = values[index] = decoders[index]!(call, index);
    return args;
  };
}

/** One per signature (argument names and types), shared by every Decoder: it stays compiled and warm. */
const argsDecoders = new Map<string, ArgsDecoder>();

export function argsDecoder(names: readonly string[], types: readonly string[], decoders: readonly ArgumentDecoder[]): ArgsDecoder {
  const key = JSON.stringify([names, types]);
  let decoder = argsDecoders.get(key);
  if (!decoder) {
    try {
      decoder = compiledDecoder(names, decoders);
    } catch {
      decoder = loopingDecoder(names, decoders);
    }
    argsDecoders.set(key, decoder);
  }
  return decoder;
}
