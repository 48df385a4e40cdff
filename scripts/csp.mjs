// Trunk post-build hook (Trunk.toml): completes the page's Content-Security-Policy with the
// SHA-256 of each inline script Trunk wrote (the loader that starts the page's WebAssembly; its
// text names hashed file names, so its hash changes with every build). index.html carries the
// policy with the placeholder 'sha256-TRUNK-LOADER'; a page whose hook did not run keeps the
// placeholder, which browsers ignore, so its loader is refused and the page visibly fails.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const PLACEHOLDER = "'sha256-TRUNK-LOADER'";
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("csp.mjs: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)");
  process.exit(1);
}

for (const name of fs.readdirSync(staging).filter((n) => n.endsWith(".html"))) {
  const file = path.join(staging, name);
  const html = fs.readFileSync(file, "utf8");
  if (!html.includes(PLACEHOLDER)) {
    console.error(`csp.mjs: ${name} has no ${PLACEHOLDER} in its Content-Security-Policy`);
    process.exit(1);
  }
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => `'sha256-${crypto.createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
  if (hashes.length === 0) {
    console.error(`csp.mjs: ${name} has no inline script to allow`);
    process.exit(1);
  }
  fs.writeFileSync(file, html.replaceAll(PLACEHOLDER, hashes.join(" ")));
}
