// The drawing pad with the pre-trained model the page ships: garments drawn with the mouse are
// recognised, the probabilities add up, the preview shows the 28x28 image, clearing resets it.
// The outlines come from tests/fixtures/silhouettes.json (tests/pictures.rs checks the same
// outlines, rasterised, against the same model).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import { CSP_RECORDER, ROOT, assertCspKept, launch, serveApp, waitForModel } from "./support.mjs";

const FIXTURE = JSON.parse(fs.readFileSync(path.join(ROOT, "tests/fixtures/silhouettes.json"), "utf8"));
const BRUSH = 12;

let server;
let browser;

before(async () => {
  server = await serveApp();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Where each row `y` (pad pixels) crosses the outline: [from, to] spans to fill. */
function spans(polygons, y) {
  const result = [];
  for (const polygon of polygons) {
    const xs = [];
    polygon.forEach(([x1, y1], i) => {
      const [x2, y2] = polygon[(i + 1) % polygon.length];
      if ((y1 > y) !== (y2 > y)) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
    });
    xs.sort((a, b) => a - b);
    for (let i = 0; i + 1 < xs.length; i += 2) result.push([xs[i], xs[i + 1]]);
  }
  return result;
}

/** Fills the garment's outline with mouse strokes, row by row, as a patient user would. */
async function drawGarment(page, garment) {
  await page.locator('[data-testid="draw-pad"]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid="draw-pad"]').boundingBox();
  const scale = box.width / FIXTURE.size;
  const at = (x, y) => [box.x + x * scale, box.y + y * scale];
  const ys = garment.polygons.flat().map(([, y]) => y);
  const [top, bottom] = [Math.min(...ys), Math.max(...ys)];
  for (let y = top + BRUSH / 2; y <= bottom - BRUSH / 2 + 1; y += BRUSH / 2) {
    for (const [from, to] of spans(garment.polygons, y)) {
      const inset = Math.min(BRUSH / 2, (to - from) / 2);
      await page.mouse.move(...at(from + inset, y));
      await page.mouse.down();
      await page.mouse.move(...at(to - inset, y), { steps: 4 });
      await page.mouse.up();
    }
  }
}

/** The prediction once the answer for the last stroke is in. */
async function settledPrediction(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction"]').hasAttribute("data-latency-ms"), null, { timeout: 60_000 });
  return page.$eval('[data-testid="prediction"]', (el) => ({
    cls: el.dataset.class,
    probs: JSON.parse(el.dataset.probs),
    text: el.textContent,
  }));
}

async function open(query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.addInitScript(CSP_RECORDER);
  await page.goto(server.url + query);
  await waitForModel(page);
  assert.match(await page.textContent('[data-testid="active-model"]'), /pre-trained vgg model \(test accuracy \d+\.\d\d%\)/);
  await page.$eval("#brush-size", (el, v) => { el.value = String(v); }, BRUSH);
  return { context, page, errors };
}

for (const [label, query, garments] of [
  ["CPU backend", "?backend=cpu", FIXTURE.garments],
  // WebGPU here is SwiftShader: one garment shows the same path works there.
  ["WebGPU", "", FIXTURE.garments.slice(0, 1)],
]) {
  describe(`drawing pad on ${label}`, () => {
    test("drawn garments are recognised; clearing resets", { timeout: 600_000 }, async () => {
      const { context, page, errors } = await open(query);
      for (const garment of garments) {
        await page.click('[data-testid="clear-drawing"]');
        await drawGarment(page, garment);
        // Mouse up ends the stroke; its answer sets data-latency-ms.
        const prediction = await settledPrediction(page);
        assert.equal(prediction.probs.length, 10);
        const sum = prediction.probs.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) <= 1e-4, `probabilities sum to ${sum}`);
        assert.equal(Number(prediction.cls), garment.class,
          `${garment.name} read as class ${prediction.cls} (${prediction.text}): ${prediction.probs.map((p) => p.toFixed(3))}`);
        // The preview holds the 28x28 image: ink on paper, not blank.
        const inked = await page.$eval('[data-testid="draw-preview"]', (c) => {
          const data = c.getContext("2d").getImageData(0, 0, 28, 28).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i] < 128) n++;
          return n;
        });
        assert.ok(inked > 50, `preview shows ${inked} dark pixels`);
      }
      await page.click('[data-testid="clear-drawing"]');
      const cleared = await page.$eval('[data-testid="prediction"]', (el) => ({
        cls: el.getAttribute("data-class"), probs: el.getAttribute("data-probs"), text: el.textContent,
      }));
      assert.deepEqual(cleared, { cls: null, probs: null, text: "" });
      assert.equal(await page.$eval('[data-testid="draw-preview"]', (c) => c.dataset.ink), "0");
      await assertCspKept(page);
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}

/** The first `n` real test images (784 darkness values each) and their labels. */
function testImages(n) {
  const dir = "/usr/share/datasets/fashion-mnist";
  const images = zlib.gunzipSync(fs.readFileSync(`${dir}/t10k-images-idx3-ubyte.gz`));
  const labels = zlib.gunzipSync(fs.readFileSync(`${dir}/t10k-labels-idx1-ubyte.gz`));
  return Array.from({ length: n }, (_, i) => ({
    pixels: Array.from(images.subarray(16 + i * 784, 16 + (i + 1) * 784)),
    label: labels[8 + i],
  }));
}

test("a dropped photo (PNG) of a real garment is classified", { timeout: 300_000 }, async () => {
  const { context, page, errors } = await open("?backend=cpu");
  const images = testImages(10);
  let right = 0;
  for (const image of images) {
    await page.evaluate(() => document.querySelector('[data-testid="prediction"]').removeAttribute("data-latency-ms"));
    // A photo: the garment dark on light grey paper, enlarged 6x, off centre, encoded as PNG.
    const transfer = await page.evaluateHandle(async (pixels) => {
      const canvas = document.createElement("canvas");
      canvas.width = 260;
      canvas.height = 200;
      const context = canvas.getContext("2d");
      context.fillStyle = "rgb(225, 222, 215)";
      context.fillRect(0, 0, 260, 200);
      pixels.forEach((d, i) => {
        const tone = Math.round(225 * (1 - d / 255));
        context.fillStyle = `rgb(${tone}, ${tone}, ${tone})`;
        context.fillRect(70 + (i % 28) * 6, 10 + Math.floor(i / 28) * 6, 6, 6);
      });
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], "garment.png", { type: "image/png" }));
      return dt;
    }, image.pixels);
    for (const type of ["dragenter", "dragover", "drop"]) {
      await page.dispatchEvent('[data-testid="draw-pad"]', type, { dataTransfer: transfer });
    }
    const prediction = await settledPrediction(page);
    if (Number(prediction.cls) === image.label) right++;
    assert.ok(Number(await page.$eval('[data-testid="draw-preview"]', (c) => c.dataset.ink)) > 50, "the preview shows the photo");
  }
  assert.ok(right >= 8, `${right} of 10 photos classified right`);
  assert.deepEqual(errors, []);
  await context.close();
});
