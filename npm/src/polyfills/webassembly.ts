// WebAssembly in WeChat mini-programs is WXWebAssembly: instantiate(path, imports) takes a path
// inside the code package and there is no global WebAssembly, while wasm_exec.js's Go.run checks
// `instance instanceof WebAssembly.Instance` (and the loader too). These helpers bridge the two
// without pretending more than that: the shim holds only Instance.

/** The instance shape wasm_exec.js uses: its exports (mem, run, resume, getsp). */
export interface InstanceLike {
  exports: WebAssembly.Exports;
}

/** Marks the stand-in WebAssembly object, so that it is never mistaken for the real one. */
export const SHIM_MARK = "__flooWebAssemblyShim";

/**
 * Defines a global WebAssembly holding only `Instance` when the host has none. Constructing it
 * throws: in a mini-program, instances come from WXWebAssembly.instantiate. Returns whether the
 * shim was installed.
 */
export function installWebAssemblyShim(g: Record<string, unknown>): boolean {
  if (typeof g.WebAssembly === "object" && g.WebAssembly !== null) return false;
  class Instance {
    constructor() {
      throw new TypeError("WebAssembly.Instance is not available in this host: use WXWebAssembly.instantiate(path, imports)");
    }
  }
  const shim = { Instance };
  Object.defineProperty(shim, SHIM_MARK, { value: true });
  g.WebAssembly = shim;
  return true;
}

/**
 * Returns the instance of a WXWebAssembly.instantiate result (`{instance, module}` or the
 * instance itself, depending on the base library) as something that passes
 * `instanceof WebAssembly.Instance`: the instance itself when it already does, otherwise an object
 * inheriting from WebAssembly.Instance.prototype that exposes the same exports.
 */
export function asInstance(result: unknown, g: Record<string, unknown>): WebAssembly.Instance {
  const r = result as { instance?: InstanceLike; exports?: WebAssembly.Exports } | null;
  const inst = r && typeof r === "object" && r.instance && typeof r.instance === "object" ? r.instance : r;
  if (!inst || typeof inst !== "object" || typeof inst.exports !== "object" || inst.exports === null) {
    throw new TypeError("WXWebAssembly.instantiate resolved without an instance with exports");
  }
  const WA = g.WebAssembly as { Instance?: { prototype: object } } | undefined;
  const Ctor = WA?.Instance as (abstract new (...args: never[]) => object) | undefined;
  if (typeof Ctor !== "function") throw new TypeError("no WebAssembly.Instance: install the shim first");
  if (inst instanceof Ctor) return inst as WebAssembly.Instance;
  return Object.create(Ctor.prototype, { exports: { value: inst.exports, enumerable: true } }) as WebAssembly.Instance;
}
