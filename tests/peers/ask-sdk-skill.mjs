// The skill endpoint's peer for scripts/bench: an Alexa skill built the way
// Amazon's Node.js SDK documents it (ask-sdk-core's custom skill builder
// under ask-sdk-express-adapter's ExpressAdapter, with its request signature
// and timestamp verifiers ON, and the skill id checked), answering
// "pause" (AMAZON.PauseIntent) by calling Music Assistant like ours does:
// `players/all`, the Echo's remembered player among the visible ones, then
// `players/cmd/pause` for it, and "Paused." as SSML.
//
//     SKILL_TEST_ROOTS=roots.pem SKILL_TEST_FILES=DIR MA_TOKEN=... \
//       node ask-sdk-skill.mjs --port 0 --ma-url http://127.0.0.1:PORT \
//         --access-token ACCESS --skill-id ID --device DEVICE --player PLAYER
//
// Prints one line {"port": N} once it listens (127.0.0.1 only).
//
// What differs from ours, on purpose (the bench's README says it too):
// - The linked access token is looked up in a map (ACCESS -> MA_TOKEN), the
//   simplest account linking a skill can have; ours verifies the JWT, reads
//   the link's row and decrypts its Music Assistant token.
// - The chain is fetched from a test directory instead of the network, and
//   the test root is added to ask-sdk's roots (test-chain.mjs, shared with
//   skill_verify.mjs, the differential test): `https.get` answers
//   https://s3.amazonaws.com/<path> from DIR/<path>, and
//   `helper.generateCAStore` gets the test root beside Node's roots. Neither
//   changes what the verifier checks; it fetches a chain URL once and keeps
//   it (its own cache, per adapter), as ours does.

import http from 'node:http';
import { createRequire } from 'node:module';
import { useTestChain } from './test-chain.mjs';

const require = createRequire(import.meta.url);
const INSTALL_HINT = 'the skill peer is not installed: `cd tests/peers && npm ci`';

let Alexa, ExpressAdapter, askHelper, express;
try {
  Alexa = require('ask-sdk-core');
  ({ ExpressAdapter } = require('ask-sdk-express-adapter'));
  askHelper = require('ask-sdk-express-adapter/dist/verifier/helper');
  express = require('express');
} catch (e) {
  console.error(`${INSTALL_HINT} (${e.message})`);
  process.exit(3);
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) {
    console.error(`missing --${name}`);
    process.exit(2);
  }
  return fallback;
}

const port = Number(arg('port', '0'));
const maUrl = new URL(arg('ma-url'));
const accessToken = arg('access-token');
const skillId = arg('skill-id');
const device = arg('device');
const player = arg('player');
const maToken = process.env.MA_TOKEN;
if (!maToken || !process.env.SKILL_TEST_FILES || !process.env.SKILL_TEST_ROOTS) {
  console.error('MA_TOKEN, SKILL_TEST_ROOTS and SKILL_TEST_FILES are needed');
  process.exit(2);
}

// The chain from the test directory (see the header); anything else fails.
useTestChain(askHelper);

// The account linking: our access token -> its Music Assistant token.
const links = new Map([[accessToken, maToken]]);
// Each Echo's player ("use the kitchen"), as ours remembers it.
const rooms = new Map([[device, player]]);

// Music Assistant's command API: POST /api {message_id, command, args} with
// the link's token, keep-alive connections (Node's default agent).
const agent = new http.Agent({ keepAlive: true });
let messageId = 0;
function maCall(token, command, args) {
  const body = JSON.stringify({ message_id: `m${++messageId}`, command, args });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: maUrl.hostname,
        port: maUrl.port,
        path: '/api',
        method: 'POST',
        agent,
        timeout: 4000,
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode < 200 || res.statusCode > 299) {
            reject(new Error(`${command}: ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new Error(`${command}: the answer is not JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${command}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// Visible, enabled, available players, as ours filters `players/all`.
function visible(all) {
  return (Array.isArray(all) ? all : []).filter(
    (p) => p.hide_in_ui !== true && p.hidden !== true && p.enabled !== false && p.available !== false,
  );
}

const PauseHandler = {
  canHandle(h) {
    return (
      Alexa.getRequestType(h.requestEnvelope) === 'IntentRequest' &&
      Alexa.getIntentName(h.requestEnvelope) === 'AMAZON.PauseIntent'
    );
  },
  async handle(h) {
    const rb = h.responseBuilder;
    const token = links.get(Alexa.getAccountLinkingAccessToken(h.requestEnvelope));
    if (!token) {
      return rb.speak('Open the Alexa app to link your account.').withLinkAccountCard().getResponse();
    }
    try {
      const list = visible(await maCall(token, 'players/all', {}));
      const remembered = rooms.get(Alexa.getDeviceId(h.requestEnvelope));
      const p = list.find((x) => x.player_id === remembered) ?? (list.length === 1 ? list[0] : null);
      if (!p) return rb.speak('Which room?').reprompt('Which room?').getResponse();
      await maCall(token, 'players/cmd/pause', { player_id: p.player_id });
      return rb.speak('Paused.').withShouldEndSession(true).getResponse();
    } catch (e) {
      return rb.speak('Music Assistant did not answer.').withShouldEndSession(true).getResponse();
    }
  },
};

const FallbackHandler = {
  canHandle() {
    return true;
  },
  handle(h) {
    return h.responseBuilder.speak('Sorry, I can only pause here.').getResponse();
  },
};

const skill = Alexa.SkillBuilders.custom()
  .withSkillId(skillId)
  .addRequestHandlers(PauseHandler, FallbackHandler)
  .create();
// Both verifiers on (the constructor's defaults, spelled out).
const adapter = new ExpressAdapter(skill, true, true);
const app = express();
app.disable('x-powered-by');
app.post('/alexa/skill', adapter.getRequestHandlers());

const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
