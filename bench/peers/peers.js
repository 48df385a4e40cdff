// Runs in bench/peers/index.html. Two jobs, chosen by what bench/harness/browser.mjs calls:
//   papaparse(): parse the chosen file with papaparse (numbers typed), as a notebook port would;
//   trainTfjs(backend, epochs, batchSize): the notebook's baseline in TensorFlow.js on the chosen
//   CSV's first 80% (what Atelier trains on with its 80/20 split), images/second per epoch.
"use strict";

const chosenFile = () => document.getElementById("file").files[0];

window.papaparse = () =>
  new Promise((resolve, reject) => {
    let rows = 0;
    const start = performance.now();
    Papa.parse(chosenFile(), {
      dynamicTyping: true,
      skipEmptyLines: true,
      chunk: (results) => { rows += results.data.length; },
      complete: () => resolve({ rows, seconds: (performance.now() - start) / 1000 }),
      error: reject,
    });
  });

// The CSV (label, 784 pixels per line, a header) as tensors-to-be: pixels scaled to [0, 1].
async function readImages() {
  const lines = (await chosenFile().text()).trim().split("\n").slice(1);
  const pixels = new Float32Array(lines.length * 784);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const values = line.split(",");
    labels[i] = Number(values[0]);
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Number(values[p + 1]) / 255;
  });
  return { pixels, labels, count: lines.length };
}

// The notebook's baseline, as in bench/harness/keras_bench.py.
function baseline() {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 10, kernelSize: 3, activation: "relu" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

window.trainTfjs = async (backend, epochs, batchSize) => {
  if (backend === "wasm") tf.wasm.setWasmPaths("/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not start`);
  await tf.ready();
  const data = await readImages();
  const trained = Math.floor(data.count * 0.8);
  const xs = tf.tensor4d(data.pixels.subarray(0, trained * 784), [trained, 28, 28, 1]);
  const ys = tf.tensor1d(data.labels.subarray(0, trained), "float32");
  const model = baseline();
  const perEpoch = [];
  let began = 0;
  await model.fit(xs, ys, {
    epochs,
    batchSize,
    shuffle: true,
    callbacks: {
      onEpochBegin: async () => { began = performance.now(); },
      onEpochEnd: async (_, logs) => {
        perEpoch.push({ images_per_second: trained / ((performance.now() - began) / 1000), loss: logs.loss });
      },
    },
  });
  const flags = {};
  if (backend === "wasm") {
    flags.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    flags.threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  tf.dispose([xs, ys]);
  return { backend: tf.getBackend(), trained, perEpoch, flags, version: tf.version.tfjs };
};
