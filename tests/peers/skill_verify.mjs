// Differential peer for the skill endpoint's request verification: runs
// each request of a corpus through two independent verifiers from npm and
// prints their verdicts (one JSON line) for tests/skill_verify_differential.rs.
//
//     SKILL_TEST_ROOTS=roots.pem SKILL_TEST_FILES=DIR node skill_verify.mjs < cases.json
//
// - alexa-verifier 4.0.0: `verifier(certUrl, signature, body)`.
// - ask-sdk-express-adapter 2.14.0: `SkillRequestSignatureVerifier.verify(body,
//   headers)` then `TimestampVerifier.verify(body)`, as its express adapter
//   runs them (a new SkillRequestSignatureVerifier per request: no cache).
//
// Two things are replaced so that no network is used; neither changes what
// the verifiers decide (test-chain.mjs, shared with ask-sdk-skill.mjs):
// - `https.get`, which both use to fetch the chain: for https://s3.amazonaws.com
//   it answers from the file DIR/<URL path, normalised as https.get would>
//   (404 when there is none), for any other host it fails.
// - ask-sdk's root store (`helper.generateCAStore`, called with Node's
//   bundled roots): the test root is added to those roots.
//
// Input: a JSON array of {name, url|null, signature|null, signature_header,
// body_b64}. Output: {"<name>": {"alexa_verifier": null|"why refused",
// "ask_sdk": null|"why refused"}, ...}.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { useTestChain } from './test-chain.mjs';

const INSTALL_HINT =
  'the skill verification peers are not installed: run scripts/test, or `cd tests/peers && npm ci`';
const require = createRequire(import.meta.url);

let alexaVerifier, askSdk, askHelper;
try {
  alexaVerifier = (await import('alexa-verifier')).default;
  askSdk = require('ask-sdk-express-adapter');
  askHelper = require('ask-sdk-express-adapter/dist/verifier/helper');
} catch (e) {
  console.error(`${INSTALL_HINT} (${e.message})`);
  process.exit(3);
}

useTestChain(askHelper);

const why = (e) => String(e && e.message ? e.message : e).slice(0, 200);

async function runAlexaVerifier(c, body) {
  const sig = c.signature_header === 'Signature-256' ? c.signature : null;
  try {
    await alexaVerifier(c.url ?? undefined, sig ?? undefined, body);
    return null;
  } catch (e) {
    return why(e);
  }
}

async function runAskSdk(c, body) {
  const headers = {};
  if (c.url !== null) headers.SignatureCertChainUrl = c.url;
  if (c.signature !== null) headers[c.signature_header] = c.signature;
  try {
    await new askSdk.SkillRequestSignatureVerifier().verify(body, headers);
    await new askSdk.TimestampVerifier().verify(body);
    return null;
  } catch (e) {
    return why(e);
  }
}

const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = {};
for (const c of cases) {
  const body = Buffer.from(c.body_b64, 'base64').toString('utf8');
  out[c.name] = {
    alexa_verifier: await runAlexaVerifier(c, body),
    ask_sdk: await runAskSdk(c, body),
  };
}
process.stdout.write(JSON.stringify(out) + '\n');
