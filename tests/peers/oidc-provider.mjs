// oidc-provider (the pinned npm package, a certified OpenID Provider) run on
// loopback and configured as close to ma-alexa-oauth as it allows, for the
// differential test (tests/differential.rs) and the benchmarks. Test-only:
// it has a mint route that hands out codes and refresh tokens to anyone.
//
// ---------------------------------------------------------------------------
// Interface (kept stable: tests and benchmarks depend on it)
// ---------------------------------------------------------------------------
//
// Run from tests/peers (after `npm ci`):
//
//   node oidc-provider.mjs [--port N] [--client-id ID] [--client-secret S]
//                          [--vendor VENDOR] [--pkce required|optional]
//                          [--exit-on-stdin-close]
//
// Every option may also come from the environment; the command line wins:
//
//   --port           PEER_PORT           0 (any free port)
//   --client-id      PEER_CLIENT_ID      "alexa-client"
//   --client-secret  PEER_CLIENT_SECRET  "alexa-secret-0123456789abcdefghijklmnopqrstuv"
//   --vendor         PEER_VENDOR         "M2TESTVENDOR1"
//   --pkce           PEER_PKCE           "required" (S256 only in either mode)
//   (environment only) PEER_USER / PEER_PASSWORD: the one account of the
//                    login interaction, "alice" / "correct horse battery"
//
// It listens on 127.0.0.1 only. When it is listening it prints exactly one
// line on stdout, JSON:
//
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
//
// and nothing else on stdout afterwards (diagnostics go to stderr). It runs
// until killed (SIGTERM/SIGINT), or, with --exit-on-stdin-close (env
// PEER_EXIT_ON_STDIN_CLOSE=1), also when its stdin closes, so that a parent
// that dies does not leave it behind (the differential test uses that; do not
// use it with stdin from /dev/null).
//
// Clients (two, because oidc-provider gives each client exactly one
// authentication method; ma-alexa-oauth accepts both for one client):
//
//   ID          client_secret_basic   secret S
//   ID + "-post" client_secret_post   secret S
//
// Both: redirect URIs https://pitangui.amazon.com/api/skill/link/VENDOR,
// https://layla.amazon.com/api/skill/link/VENDOR and
// https://alexa.amazon.co.jp/api/skill/link/VENDOR (exact match),
// response_type code, grant types authorization_code and refresh_token,
// scopes "music:read music:control" (the same table as src/oauth/mod.rs).
//
// Endpoints (oidc-provider's own, under the issuer):
//
//   GET  /auth         authorization endpoint (PKCE S256; required unless
//                      --pkce optional)
//   POST /token        token endpoint
//   POST /token/revocation, POST /token/introspection   RFC 7009 / RFC 7662
//   GET  /.well-known/openid-configuration, GET /jwks
//
// Behaviour chosen to match ma-alexa-oauth: refresh tokens are issued on
// every code exchange (no offline_access needed), never rotate and last a
// year; codes live 300 s; opaque access tokens live 3600 s; redirect_uri is
// required at both endpoints; in-memory storage; no CORS.
//
// Login interaction (a minimal one, for tests that walk the real flow):
//
//   GET  /interaction/:uid   an HTML form (login, password)
//   POST /interaction/:uid   form login=USER&password=PASSWORD: on success the
//                            requested scopes are granted and the browser is
//                            sent (303) back into the flow, which ends with a
//                            303 to redirect_uri?code=...&state=...&iss=...;
//                            wrong credentials: 401 and the form again.
//   Cookies set by oidc-provider must be kept between these requests.
//
// Test-only mint route (real codes and tokens, created with the provider's
// own models: a Grant per value, then an AuthorizationCode or RefreshToken):
//
//   POST /__test/mint   Content-Type: application/json
//     {
//       "kind": "code" | "refresh_token",          required
//       "n": 1..100000,                              default 1
//       "client_id": ID or ID-post,                  default ID
//       "code_challenge": "<43 chars>",              code only; omit for none
//       "code_challenge_method": "S256",             default "S256" when a
//                                                    challenge is given
//       "redirect_uri": "...",                       code only; default the
//                                                    pitangui URI
//       "scope": "music:read music:control",         default both
//       "account": "alice",                          default PEER_USER
//       "expires_in": seconds                        optional, overrides the TTL
//     }
//   200 {"values": ["...", ...]}   (n values, in order)
//   400 {"error": "...", "error_description": "..."} for a bad request
//
// Minting does not go through the authorization endpoint, so it can create a
// code without a challenge even in --pkce required mode (to test the token
// endpoint's PKCE downgrade handling).

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

function option(name, envName, fallback) {
  const flag = `--${name}`;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === flag && i + 1 < argv.length) return argv[i + 1];
    if (argv[i].startsWith(`${flag}=`)) return argv[i].slice(flag.length + 1);
  }
  const v = process.env[envName];
  return v === undefined || v === '' ? fallback : v;
}

const PORT = Number.parseInt(option('port', 'PEER_PORT', '0'), 10);
const CLIENT_ID = option('client-id', 'PEER_CLIENT_ID', 'alexa-client');
const CLIENT_SECRET = option(
  'client-secret',
  'PEER_CLIENT_SECRET',
  'alexa-secret-0123456789abcdefghijklmnopqrstuv',
);
const VENDOR = option('vendor', 'PEER_VENDOR', 'M2TESTVENDOR1');
const PKCE = option('pkce', 'PEER_PKCE', 'required');
const USER = process.env.PEER_USER || 'alice';
const PASSWORD = process.env.PEER_PASSWORD || 'correct horse battery';

if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  process.stderr.write(`bad --port ${PORT}\n`);
  process.exit(2);
}
if (PKCE !== 'required' && PKCE !== 'optional') {
  process.stderr.write('--pkce must be "required" or "optional"\n');
  process.exit(2);
}

const SCOPES = ['music:read', 'music:control'];
const REDIRECT_URIS = [
  `https://pitangui.amazon.com/api/skill/link/${VENDOR}`,
  `https://layla.amazon.com/api/skill/link/${VENDOR}`,
  `https://alexa.amazon.co.jp/api/skill/link/${VENDOR}`,
];

function client(clientId, method) {
  return {
    client_id: clientId,
    client_secret: CLIENT_SECRET,
    redirect_uris: REDIRECT_URIS,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: method,
    scope: SCOPES.join(' '),
  };
}

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function configuration() {
  return {
    clients: [
      client(CLIENT_ID, 'client_secret_basic'),
      client(`${CLIENT_ID}-post`, 'client_secret_post'),
    ],
    // openid is oidc-provider's own and cannot be removed; our scopes are added.
    scopes: ['openid', ...SCOPES],
    claims: { openid: ['sub'] },
    pkce: { required: () => PKCE === 'required' },
    allowOmittingSingleRegisteredRedirectUri: false,
    issueRefreshToken: async (ctx, c) => c.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: false,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 300,
      Grant: 365 * 24 * 3600,
      Interaction: 3600,
      RefreshToken: 365 * 24 * 3600,
      Session: 3600,
    },
    findAccount: async (ctx, sub) => (sub === USER
      ? { accountId: sub, claims: async () => ({ sub }) }
      : undefined),
    clientBasedCORS: () => false,
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
    },
    interactions: { url: async (ctx, interaction) => `/interaction/${interaction.uid}` },
    // A plain page that names the error, so a test can read it.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>error</title><p id="error" data-error="${html(out.error)}">${html(out.error)}</p><p>${html(out.error_description || '')}</p>`;
    },
  };
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

class BadRequest extends Error {}

async function mint(provider, spec) {
  const kind = spec.kind;
  if (kind !== 'code' && kind !== 'refresh_token') throw new BadRequest('kind must be "code" or "refresh_token"');
  const n = spec.n === undefined ? 1 : spec.n;
  if (!Number.isInteger(n) || n < 1 || n > 100000) throw new BadRequest('n must be an integer in 1..100000');
  const clientId = spec.client_id === undefined ? CLIENT_ID : String(spec.client_id);
  if (!(await provider.Client.find(clientId))) throw new BadRequest(`unknown client_id ${clientId}`);
  const scope = spec.scope === undefined ? SCOPES.join(' ') : String(spec.scope);
  const accountId = spec.account === undefined ? USER : String(spec.account);
  const redirectUri = spec.redirect_uri === undefined ? REDIRECT_URIS[0] : String(spec.redirect_uri);
  const challenge = spec.code_challenge === undefined ? undefined : String(spec.code_challenge);
  const method = spec.code_challenge_method === undefined
    ? (challenge === undefined ? undefined : 'S256')
    : String(spec.code_challenge_method);
  const extra = spec.expires_in === undefined ? {} : { expiresIn: Number(spec.expires_in) };
  const now = Math.floor(Date.now() / 1000);
  const values = [];
  for (let i = 0; i < n; i += 1) {
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    let token;
    if (kind === 'code') {
      token = new provider.AuthorizationCode({
        accountId,
        authTime: now,
        clientId,
        codeChallenge: challenge,
        codeChallengeMethod: method,
        expiresWithSession: false,
        grantId,
        redirectUri,
        scope,
        ...extra,
      });
    } else {
      token = new provider.RefreshToken({
        accountId,
        authTime: now,
        clientId,
        expiresWithSession: false,
        grantId,
        gty: 'authorization_code',
        iiat: now,
        rotations: 0,
        scope,
        ...extra,
      });
    }
    values.push(await token.save());
  }
  return values;
}

function loginForm(uid, message) {
  return `<!DOCTYPE html><meta charset="utf-8"><title>Sign in</title>
<form method="post" action="/interaction/${html(uid)}">
${message ? `<p>${html(message)}</p>` : ''}
<input name="login" autocomplete="username"><input name="password" type="password">
<button type="submit">Sign in and allow</button></form>`;
}

async function interaction(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new BadRequest('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginForm(uid));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' });
    res.end();
    return;
  }
  const form = new URLSearchParams(await readBody(req, 64 * 1024));
  if (form.get('login') !== USER || form.get('password') !== PASSWORD) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginForm(uid, 'Wrong login or password.'));
    return;
  }
  const { params } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: USER, clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: USER },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const server = http.createServer();
server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration());
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (url.pathname === '/__test/mint') {
        if (req.method !== 'POST') {
          sendJson(res, 405, { error: 'invalid_request', error_description: 'POST only' });
          return;
        }
        let spec;
        try {
          spec = JSON.parse(await readBody(req));
        } catch {
          throw new BadRequest('the body must be JSON');
        }
        sendJson(res, 200, { values: await mint(provider, spec || {}) });
        return;
      }
      const m = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
      if (m) {
        await interaction(provider, req, res, m[1]);
        return;
      }
      callback(req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = e instanceof BadRequest ? 400 : 500;
      if (status === 500) process.stderr.write(`peer: ${e && e.stack}\n`);
      sendJson(res, status, {
        error: status === 400 ? 'invalid_request' : 'server_error',
        error_description: String(e && e.message),
      });
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--exit-on-stdin-close') || process.env.PEER_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
