// The args object of a call: its decoded values keyed by argument name, in signature order (the
// order JSON shows them in).
//
// One builder per signature, compiled from an object literal, so that every call of a syscall
// makes its args with one hidden class in one allocation. Filling `{}` name by name instead goes
// through V8's megamorphic keyed-store path once per argument: on the decoder benchmark that
// cost ~100 ns a record, a fifth of split + decode. The names come from signatures.in and enter
// the source only as JSON string literals, so no name can be read as code.
import type { ArgValue } from '../trace/records.js';
import type { ArgumentDecoder } from './arguments.js';
import type { CallArguments } from './call-arguments.js';

export type ArgsBuilder = (values: readonly ArgValue[]) => Record<string, ArgValue>;

/** Decode a call's arguments into `values` (by index) and return its args object. */
export type ArgsDecoder = (call: CallArguments, values: ArgValue[]) => Record<string, ArgValue>;

function compiledBuilder(names: readonly string[]): ArgsBuilder {
  const fields = names.map((name, index) => `${JSON.stringify(name)}: values[${index}]`);
  return new Function('values', `return { ${fields.join(', ')} };`) as ArgsBuilder;
}

/** The same object, name by name: where code generation from strings is disallowed. */
function fillingBuilder(names: readonly string[]): ArgsBuilder {
  return (values) => {
    const args: Record<string, ArgValue> = {};
    for (let index = 0; index < names.length; index++) args[names[index]!] = values[index]!;
    return args;
  };
}

/** One builder per list of names, shared by every Decoder: it stays compiled and warm. */
const builders = new Map<string, ArgsBuilder>();

function newBuilder(names: readonly string[]): ArgsBuilder {
  try {
    return compiledBuilder(names);
  } catch {
    return fillingBuilder(names);
  }
}

export function argsBuilder(names: readonly string[]): ArgsBuilder {
  const key = JSON.stringify(names);
  let builder = builders.get(key);
  if (!builder) {
    builder = newBuilder(names);
    builders.set(key, builder);
  }
  return builder;
}

/*
 * The same for a signature's decoders: one function that calls each decoder by name and builds
 * the object. Called through an array instead, every decoder call is one call site for all
 * argument types (megamorphic: never inlined); here each site sees one decoder. Shared by
 * every Decoder, keyed by the argument names and types. The decoders enter as the outer
 * function's arguments, not as source. Split + decode on the benchmark: 1.72 -> 1.97 M records/s
 * (medians of 8 processes each way).
 */
function compiledDecoder(names: readonly string[], decoders: readonly ArgumentDecoder[]): ArgsDecoder {
  const parameters = decoders.map((_, index) => `d${index}`);
  const steps = decoders.map((_, index) => `const v${index} = d${index}(call, ${index}); values[${index}] = v${index};`);
  const fields = names.map((name, index) => `${JSON.stringify(name)}: v${index}`);
  const make = new Function(...parameters, `return function (call, values) { ${steps.join(' ')} return { ${fields.join(', ')} }; };`);
  return make(...decoders) as ArgsDecoder;
}

function loopingDecoder(names: readonly string[], decoders: readonly ArgumentDecoder[]): ArgsDecoder {
  const build = fillingBuilder(names);
  return (call, values) => {
    for (let index = 0; index < decoders.length; index++) values[index] = decoders[index]!(call, index);
    return build(values);
  };
}

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
