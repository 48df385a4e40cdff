// How big a block of outputs each GPU unit should compute, for the dense layer's three products
// (`baseline`'s 6,760 features by 64 units, batch 32 and 64), on this browser's WebGPU adapter:
// a register-tiled product written in WGSL (one ROWS by COLS block per unit, operands read
// through strides as the engine's kernel reads them, no workgroup memory) against one output
// per unit, each dispatch timed to its completion, median of five rounds. It chose the tiles and
// workgroup size of `crates/engine/src/gpu_kernels` (BENCHMARKS.md, "Kernels of our own").
//   node bench/profile/tile_sizes.mjs [ROWSxCOLS@UNITS ...]    (default: 1x1@64 4x4@64 8x8@16 ...)
import { ROOT, launch, serve } from "../../tests/e2e/support.mjs";
import path from "node:path";

const shapes = process.argv.slice(2).length ? process.argv.slice(2) : ["1x1@64", "4x4@64", "4x8@16", "8x8@64", "8x8@16", "8x8@8"];
const server = await serve(path.join(ROOT, "bench/profile"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(server.url);
console.log(`adapter: ${await page.evaluate(async () => (await navigator.gpu.requestAdapter()).info.architecture)}`);
console.log("| rows x cols @ units | batch | forward ms | input grad ms | weight grad ms | sum |");
console.log("|---|---|---|---|---|---|");
for (const shape of shapes) {
  const [, rows, cols, units] = shape.match(/^(\d+)x(\d+)@(\d+)$/).map(Number);
  for (const batch of [32, 64]) {
    const ms = await page.evaluate(measure, { rows, cols, units, batch });
    console.log(`| ${rows} x ${cols} @ ${units} | ${batch} | ${ms.map((m) => m.toFixed(1)).join(" | ")} | ${ms.reduce((a, b) => a + b).toFixed(1)} |`);
  }
}
await browser.close();
server.close();

/** In the page: the three products' median milliseconds for one tile shape. */
async function measure({ rows: TM, cols: TN, units, batch }) {
  const FEATURES = 6760, UNITS_OUT = 64;
  const device = await (await navigator.gpu.requestAdapter()).requestDevice();
  const buffer = (values) => {
    const b = device.createBuffer({ size: values.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, values);
    return b;
  };
  const kernel = () => {
    let body = "", decl = "", stores = "";
    for (let r = 0; r < TM; r++) body += `let a${r} = A[min(m0 + ${r}u, M - 1u) * sam + k * sak];\n`;
    for (let c = 0; c < TN; c++) body += `let b${c} = B[k * sbk + min(n0 + ${c}u, N - 1u) * sbn];\n`;
    for (let r = 0; r < TM; r++) for (let c = 0; c < TN; c++) {
      decl += `var s${r}_${c} = 0.0;\n`;
      body += `s${r}_${c} += a${r} * b${c};\n`;
      stores += `if (m0 + ${r}u < M && n0 + ${c}u < N) { O[(m0 + ${r}u) * N + n0 + ${c}u] = s${r}_${c}; }\n`;
    }
    return `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<u32>;
@compute @workgroup_size(${units}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let M = info[0]; let N = info[1]; let K = info[2]; let sam = info[3]; let sak = info[4]; let sbk = info[5]; let sbn = info[6];
  let across = (N + ${TN - 1}u) / ${TN}u;
  if (g.x >= ((M + ${TM - 1}u) / ${TM}u) * across) { return; }
  let m0 = (g.x / across) * ${TM}u; let n0 = (g.x % across) * ${TN}u;
  ${decl}for (var k = 0u; k < K; k++) {\n${body}}\n${stores}}`;
  };
  const pipeline = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code: kernel() }), entryPoint: "main" } });
  // [M, N, K, lhs row stride, lhs k stride, rhs k stride, rhs column stride], as the engine's
  // product is called: x * w, grad * wᵀ (a transposed view), xᵀ (a view) * grad.
  const products = [
    [batch, UNITS_OUT, FEATURES, FEATURES, 1, UNITS_OUT, 1],
    [batch, FEATURES, UNITS_OUT, UNITS_OUT, 1, 1, UNITS_OUT],
    [FEATURES, UNITS_OUT, batch, 1, FEATURES, UNITS_OUT, 1],
  ];
  const operand = buffer(new Float32Array(FEATURES * Math.max(batch, UNITS_OUT)).map((_, i) => Math.sin(i)));
  const result = device.createBuffer({ size: FEATURES * Math.max(batch, UNITS_OUT) * 4, usage: GPUBufferUsage.STORAGE });
  const times = [];
  for (const info of products) {
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [operand, operand, result, buffer(new Uint32Array([...info, 0]))].map((b, binding) => ({ binding, resource: { buffer: b } })) });
    const workgroups = Math.ceil((Math.ceil(info[0] / TM) * Math.ceil(info[1] / TN)) / units);
    const run = async (n) => {
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(workgroups);
        pass.end();
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
      }
      return (performance.now() - start) / n;
    };
    await run(2);
    const rounds = [];
    for (let i = 0; i < 5; i++) rounds.push(await run(4));
    times.push(rounds.sort((a, b) => a - b)[2]);
  }
  device.destroy();
  return times;
}
