// The args object of a call: its decoded values keyed by argument name, in signature order (the
// order JSON shows them in).
//
// One builder per signature, compiled from an object literal, so that every call of a syscall
// makes its args with one hidden class in one allocation. Filling `{}` name by name instead goes
// through V8's megamorphic keyed-store path once per argument: on the decoder benchmark that
// cost ~100 ns a record, a fifth of split + decode. The names come from signatures.in and enter
// the source only as JSON string literals, so no name can be read as code.
import type { ArgValue } from '../trace/records.js';

export type ArgsBuilder = (values: readonly ArgValue[]) => Record<string, ArgValue>;

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
