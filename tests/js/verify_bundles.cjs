// Independent verification of logchain seal bundles with sigstore-js (@sigstore/verify), which no
// one on this project wrote. Reads one JSON job from stdin:
//   {"trusted_root": PATH, "keyring": PATH, "bundles": [PATH, ...]}
// and prints one JSON line per bundle: {"bundle": PATH, "ok": true|false, "error": "...", "times": [...]}
// Exit status is 0 when every bundle was judged (pass or fail), 2 on a usage error.
'use strict';
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot, PublicKey } = require('@sigstore/protobuf-specs');
const { toTrustMaterial, toSignedEntity, Verifier } = require('@sigstore/verify');

function main() {
  const job = JSON.parse(fs.readFileSync(0, 'utf8'));
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(job.trusted_root, 'utf8')));
  const keys = {};
  for (const [hint, key] of Object.entries(JSON.parse(fs.readFileSync(job.keyring, 'utf8')).keys)) {
    keys[hint] = PublicKey.fromJSON(key);
  }
  const verifier = new Verifier(toTrustMaterial(root, keys), {
    tlogThreshold: 0, // no transparency log: key-based seals
    ctlogThreshold: 0,
    timestampThreshold: 1, // at least one RFC 3161 timestamp must verify
  });
  for (const path of job.bundles) {
    try {
      const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(path, 'utf8')));
      const entity = toSignedEntity(bundle);
      verifier.verify(entity);
      const times = entity.timestamps.map((t) => t.timestamp.signingTime.toISOString());
      console.log(JSON.stringify({ bundle: path, ok: true, times }));
    } catch (e) {
      console.log(JSON.stringify({ bundle: path, ok: false, error: `${e.code || e.name}: ${e.message}` }));
    }
  }
}

try {
  main();
} catch (e) {
  console.error(`usage error: ${e.message}`);
  process.exit(2);
}
