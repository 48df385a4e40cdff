// Hostile files dropped on the page, on the WebGPU engine (SwiftShader here): a UTF-16 CSV, a
// gzip bomb of consistent IDX, an empty IDX pair, model files crafted from a real one and a
// 20000x20000 photo each show the message that names their problem, while the loaded sets and
// the active model stay; a photo of an odd size with the garment touching its edges is
// classified, not a panic.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import zlib from "node:zlib";
import { ROOT, datasetCounts, dropFiles, fixtures, launch, serveApp, waitForCounts, waitForModel } from "./support.mjs";

let server;
let browser;
let data;

before(async () => {
  server = await serveApp();
  browser = await launch();
  data = fixtures(300, 50);
});

after(async () => {
  await browser?.close();
  server?.close();
});

function idxHeader(magic, count) {
  const header = Buffer.alloc(magic === 0x803 ? 16 : 8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(count, 4);
  if (magic === 0x803) {
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
  }
  return header;
}

function utf16le(text) {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A real model file from the command line, its header's settings changed by `edit`, its
 * length and checksum made right again: only what it says is wrong. */
function craftedModelFile(edit) {
  const real = path.join(data.dir, "real.atelier");
  execFileSync(path.join(ROOT, "target/release/atelier"), [
    "train", "--train", data.train, "--epochs", "1", "--limit", "200", "--save-model", real,
  ], { stdio: ["ignore", "ignore", "inherit"] });
  const bytes = fs.readFileSync(real);
  const headerLength = bytes.readUInt32LE(18);
  const header = JSON.parse(bytes.subarray(22, 22 + headerLength).toString("utf8"));
  edit(header);
  const newHeader = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(newHeader.length);
  const body = Buffer.concat([
    bytes.subarray(0, 18), length, newHeader, bytes.subarray(22 + headerLength, bytes.length - 4),
  ]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(crc32(body));
  return Buffer.concat([body, checksum]);
}

test("hostile files show their message; the loaded sets and model stay", { timeout: 600_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(server.url);
  await waitForModel(page);
  assert.equal(await page.textContent('[data-testid="backend"]'), "WebGPU");
  await dropFiles(page, [data.train, data.test]);
  await waitForCounts(page, 300, 50);
  const loaded = await datasetCounts(page);

  const file = (name, bytes) => {
    const at = path.join(data.dir, name);
    fs.writeFileSync(at, bytes);
    return at;
  };
  const csvStart = fs.readFileSync(data.train, "utf8").split("\n").slice(0, 4).join("\n");
  const zeros = Buffer.alloc(300 << 20);
  const cases = [
    [[file("utf16.csv", utf16le(csvStart))],
      /^utf16\.csv: the file is UTF-16 text: save it as UTF-8 CSV/],
    [[file("bomb-images-idx3-ubyte.gz", zlib.gzipSync(Buffer.concat([idxHeader(0x803, 5_480_000), zeros]), { level: 1 }))],
      /^bomb-images-idx3-ubyte\.gz: the file inflates to more than 256 MB/],
    [[file("empty-images-idx3-ubyte", idxHeader(0x803, 0)), file("empty-labels-idx1-ubyte", idxHeader(0x801, 0))],
      /^empty-(images|labels)-idx\d-ubyte: the IDX (images|labels) file holds no (images|labels)$/],
    [[file("crafted.atelier", craftedModelFile((h) => { h.settings.batch_size = 1 << 20; }))],
      /^crafted\.atelier: the model file does not describe a usable model: batch size 1048576 must be from 1 to 4096$/],
    [[file("deep.atelier", craftedModelFile((h) => {
      h.settings.model = [{ type: "flatten" }, ...Array(99_998).fill({ type: "batch-norm" }), { type: "dense", units: 10 }];
    }))],
      /^deep\.atelier: the model file does not describe a usable model: the model cannot be built: the model has 100000 layers; at most 100 are allowed$/],
  ];
  for (const [files, message] of cases) {
    for (const f of files) assert.ok(fs.statSync(f).size < 5 << 20, `${f} is under 5 MB`);
    await dropFiles(page, files);
    await page.waitForFunction(
      (source) => new RegExp(source).test(document.querySelector('[data-testid="error"]').textContent),
      message.source, { timeout: 120_000 },
    ).catch(async (e) => {
      throw new Error(`${path.basename(files[0])}: ${await page.textContent('[data-testid="error"]')} (${e})`);
    });
    assert.deepEqual(await datasetCounts(page), loaded, path.basename(files[0]));
    assert.equal(await page.$eval('[data-testid="active-model"]', (el) => el.dataset.source), "pretrained");
  }

  // A photo of 20000x20000 pixels (a few bytes of PNG header): refused by its size before any
  // decoding.
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20_000, 0);
  ihdr.writeUInt32BE(20_000, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const big = file("big.png", Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from("IHDR"), ihdr, Buffer.alloc(4),
  ]));
  await dropFiles(page, [big], "draw-pad");
  await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent.startsWith("big.png"),
    null, { timeout: 60_000 });
  assert.equal(await page.textContent('[data-testid="error"]'),
    "big.png: the photo is 20000x20000 pixels; Atelier reads photos up to 50 megapixels");
  assert.deepEqual(await datasetCounts(page), loaded);

  // A photo 601x37, the garment touching its top and bottom edges: classified, no panic.
  await page.evaluate(() => document.querySelector('[data-testid="prediction"]').removeAttribute("data-latency-ms"));
  const transfer = await page.evaluateHandle(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 601;
    canvas.height = 37;
    const context = canvas.getContext("2d");
    context.fillStyle = "rgb(230, 230, 225)";
    context.fillRect(0, 0, 601, 37);
    context.fillStyle = "rgb(20, 20, 20)";
    context.fillRect(280, 0, 41, 37);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "odd.png", { type: "image/png" }));
    return dt;
  });
  for (const type of ["dragenter", "dragover", "drop"]) {
    await page.dispatchEvent('[data-testid="draw-pad"]', type, { dataTransfer: transfer });
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-latency-ms"),
    null, { timeout: 120_000 });
  assert.deepEqual(await datasetCounts(page), loaded);
  assert.deepEqual(errors, []);
  await context.close();
});
