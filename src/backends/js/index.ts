// js backend — the plain-JS reference backend: buffers are typed arrays, and each primitive
// runs its reference kernel (the `impl` slot of its definition).
import type { ShapedArray } from "../../core/aval.js";
import type { TypedArray } from "../../core/dtype.js";
import type { Params, Primitive } from "../../core/primitive.js";
import { type Backend, type DeviceBuffer, registerBackend } from "../backend.js";

interface JsBuffer extends DeviceBuffer {
  data: TypedArray;
}

export const jsBackend: Backend = {
  name: "js",
  fromHost(data: TypedArray): DeviceBuffer {
    return { data } as unknown as JsBuffer;
  },
  toHost(buf: DeviceBuffer): TypedArray {
    return (buf as JsBuffer).data;
  },
  execute(prim: Primitive<any>, inputs: DeviceBuffer[], inAvals: ShapedArray[], params: Params, outAvals: ShapedArray[]) {
    const impl = prim.impl;
    if (typeof impl !== "function") throw new Error(`internal: js backend asked to execute '${prim.name}', which has a bind impl`);
    const host = inputs.map((b, i) => ({ data: (b as JsBuffer).data, shape: inAvals[i]!.shape, dtype: inAvals[i]!.dtype }));
    const outs = impl(host, params, outAvals);
    if (outs.length !== outAvals.length)
      throw new Error(`internal: kernel of '${prim.name}' returned ${outs.length} outputs, expected ${outAvals.length}`);
    return outs.map((d) => ({ data: d }) as unknown as JsBuffer);
  },
  dispose(buf: DeviceBuffer) {
    (buf as JsBuffer).data = new Float32Array(0);
  },
};
registerBackend(jsBackend);
