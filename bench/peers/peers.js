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

// --- Like for like with Atelier's first minute (bench/harness/like_for_like.mjs) ---------------
// The notebook's baseline (logits out) trained by a step-by-step loop in TensorFlow.js or jax-js,
// as Atelier's engine trains it: the chosen CSV's first 80% trained, the rest validated after
// each epoch, Adam 1e-3, the images shuffled per epoch, the loss read back after the first batch
// of each epoch and every `lossEvery` batches. Times from the loop's start (data already in
// memory, as Atelier's is when Train is clicked): the first batch's loss, the first epoch
// (validation included), and each epoch's training images/second (validation not counted).

/** A seeded shuffle (same order for every library). */
function shuffled(count, epoch) {
  const order = Array.from({ length: count }, (_, i) => i);
  let state = (12345 + epoch * 7919) >>> 0;
  for (let i = count - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** One batch of images (Float32Array, [B, 28, 28, 1] = [B, 1, 28, 28] for one channel) and labels. */
function gather(data, indices) {
  const pixels = new Float32Array(indices.length * 784);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, i) => {
    pixels.set(data.pixels.subarray(index * 784, (index + 1) * 784), i * 784);
    labels[i] = data.labels[index];
  });
  return { pixels, labels };
}

/** The loop both libraries share: `lib.step(batch, read)` trains one batch (its loss when `read`), `lib.validate(batch)` is a batch's summed loss. */
async function stepwise(lib, data, { batchSize, epochs, lossEvery }) {
  const trained = Math.floor(data.count * 0.8);
  const validationIndices = Array.from({ length: data.count - trained }, (_, i) => trained + i);
  const perEpoch = [];
  const started = performance.now();
  let firstBatchMs = null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    // The like-for-like harness's `--dispatches` files the GPU work under it.
    self.__epoch = epoch;
    const epochStart = performance.now();
    const order = shuffled(trained, epoch);
    let lastLoss = null;
    for (let b = 0, step = 0; b < trained; b += batchSize, step++) {
      // The epoch's last batch is read too: its training work is done when the epoch's clock stops.
      const read = step === 0 || step % lossEvery === 0 || b + batchSize >= trained;
      const loss = await lib.step(gather(data, order.slice(b, b + batchSize)), read);
      if (read) {
        lastLoss = loss;
        firstBatchMs ??= performance.now() - started;
      }
    }
    const trainSeconds = (performance.now() - epochStart) / 1000;
    let validationLoss = 0;
    for (let b = 0; b < validationIndices.length; b += batchSize) {
      validationLoss += await lib.validate(gather(data, validationIndices.slice(b, b + batchSize)));
    }
    perEpoch.push({
      epoch, loss: lastLoss, val_loss: validationLoss / validationIndices.length,
      images_per_second: trained / trainSeconds, seconds: (performance.now() - epochStart) / 1000,
    });
  }
  return { trained, first_batch_ms: firstBatchMs, first_epoch_s: perEpoch[0].seconds, perEpoch };
}

async function tfjsStepwise(backend, options, data) {
  if (backend === "wasm") tf.wasm.setWasmPaths("/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not start`);
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 10, kernelSize: 3, activation: "relu" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: "relu" }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const lossOf = (batch, training) => {
    const x = tf.tensor4d(batch.pixels, [batch.labels.length, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(batch.labels, "int32"), 10);
    return tf.losses.softmaxCrossEntropy(y, model.apply(x, { training }));
  };
  const lib = {
    step: async (batch, read) => {
      const loss = tf.tidy(() => optimizer.minimize(() => lossOf(batch, true), true));
      const value = read ? (await loss.data())[0] : null;
      loss.dispose();
      return value;
    },
    validate: async (batch) => {
      const loss = tf.tidy(() => lossOf(batch, false));
      const value = (await loss.data())[0] * batch.labels.length;
      loss.dispose();
      return value;
    },
  };
  const run = await stepwise(lib, data, options);
  return { library: "tfjs", version: tf.version.tfjs, backend: tf.getBackend(), ...run };
}

async function jaxStepwise(backend, options, data) {
  const { init, defaultDevice, jit, valueAndGrad, nn, lax, numpy: np, random, tree } = window.jax;
  const available = await init(backend);
  if (!available.includes(backend)) throw new Error(`jax-js backend ${backend} did not start (available: ${available})`);
  defaultDevice(backend);
  const glorot = (key, shape, fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return random.uniform(key, shape, { minval: -limit, maxval: limit });
  };
  const [k1, k2, k3] = random.split(random.key(0), 3);
  let params = {
    convW: glorot(k1, [10, 1, 3, 3], 9, 90), convB: np.zeros([10, 1, 1]),
    w1: glorot(k2, [6760, 64], 6760, 64), b1: np.zeros([64]),
    w2: glorot(k3, [64, 10], 64, 10), b2: np.zeros([10]),
  };
  const forward = (p, x) => {
    const h = nn.relu(lax.conv(x, p.convW, [1, 1], "VALID").add(p.convB));
    const d1 = nn.relu(np.matmul(h.reshape([-1, 6760]), p.w1).add(p.b1));
    return np.matmul(d1, p.w2).add(p.b2);
  };
  const lossFn = (p, x, y) => {
    const count = y.shape[0];
    return nn.logSoftmax(forward(p, x)).mul(nn.oneHot(y, 10)).sum().mul(-1 / count);
  };
  // Adam as Keras writes it (eps 1e-7), inside the jitted step.
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-7, 1e-3];
  const gradFn = valueAndGrad(lossFn);
  const trainStep = jit((p, m, v, x, y, alpha) => {
    const [loss, g] = gradFn(tree.ref(p), x, y);
    const newM = tree.map((mi, gi) => mi.mul(b1).add(gi.mul(1 - b1)), m, tree.ref(g));
    const newV = tree.map((vi, gi) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), v, g);
    const newP = tree.map((pi, mi, vi) => pi.sub(mi.mul(alpha.ref).div(np.sqrt(vi).add(eps))), p, tree.ref(newM), tree.ref(newV));
    alpha.dispose();
    return [loss, newP, newM, newV];
  });
  const evalLoss = jit((p, x, y) => lossFn(p, x, y));
  let m = tree.map((a) => np.zerosLike(a), tree.ref(params));
  let v = tree.map((a) => np.zerosLike(a), tree.ref(params));
  let t = 0;
  const arrays = (batch) => [
    np.array(batch.pixels, { shape: [batch.labels.length, 1, 28, 28] }),
    np.array(batch.labels, { shape: [batch.labels.length], dtype: np.int32 }),
  ];
  const lib = {
    step: async (batch, read) => {
      t++;
      const alpha = lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
      const [x, y] = arrays(batch);
      let loss;
      [loss, params, m, v] = trainStep(params, m, v, x, y, alpha);
      if (read) return (await loss.data())[0];
      loss.dispose();
      return null;
    },
    validate: async (batch) => {
      const [x, y] = arrays(batch);
      return (await evalLoss(tree.ref(params), x, y).data())[0] * batch.labels.length;
    },
  };
  const run = await stepwise(lib, data, options);
  tree.dispose([params, m, v]);
  return { library: "jax-js", backend: defaultDevice(), isolated: self.crossOriginIsolated, ...run };
}

window.trainStepwise = async (library, backend, options) => {
  const data = await readImages();
  return library === "tfjs" ? tfjsStepwise(backend, options, data) : jaxStepwise(backend, options, data);
};
