import os from "node:os";
if (typeof globalThis.navigator === "undefined") globalThis.navigator = { userAgent: "Node.js", hardwareConcurrency: os.cpus().length };
if (typeof globalThis.Float16Array === "undefined") globalThis.Float16Array = class Float16Array { constructor() { throw new Error("float16 not used"); } };
const jax = await import("@jax-js/jax");
const devs = await jax.init();
console.log(devs, jax.defaultDevice());
const np = jax.numpy;
const x = np.array(new Float32Array([1,2,3]));
console.log(await x.data());
const f = jax.jit((x) => np.tanh(x.ref).mul(2).add(np.sin(x.ref).mul(x)));
const n = 1e6;
const a = new Float32Array(n); for (let i=0;i<n;i++) a[i] = -3 + 6*i/(n-1);
const xa = np.array(a);
for (let k=0;k<5;k++){ const t=performance.now(); const y=f(xa.ref); await y.data(); y.dispose?.(); console.log(performance.now()-t);}
const A = np.array(new Float32Array(1024*1024).fill(0.5)).reshape([1024,1024]);
for (let k=0;k<4;k++){ const t=performance.now(); const y=np.matmul(A.ref, A.ref); await y.data(); console.log("mm", performance.now()-t);}
