// Decoded flags and modes repeat: a trace has a handful of distinct values per argument type
// (O_RDONLY|O_CLOEXEC on most opens), so each is decoded once per value instead of walking its
// table and building a new array on every call. Callers share the result: arrays are frozen.

/** Distinct values remembered per decoding; past that, values are decoded every time, so a
 *  trace full of random bits costs what it did and memory stays bounded. */
const MEMO_LIMIT = 1024;

export function memoByValue<T>(decode: (value: number) => T): (value: number) => T {
  const decoded = new Map<number, T>();
  return (value) => {
    let result = decoded.get(value);
    if (result === undefined) {
      result = decode(value);
      if (decoded.size < MEMO_LIMIT) decoded.set(value, result);
    }
    return result;
  };
}

/** memoByValue for a decoding into names: the shared array is frozen. */
export function memoNamesByValue(decode: (value: number) => string[]): (value: number) => readonly string[] {
  return memoByValue((value) => Object.freeze(decode(value)));
}
