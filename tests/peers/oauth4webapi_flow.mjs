// Interop peer: oauth4webapi (JavaScript) against ma-alexa-oauth.
//
// Run by tests/interop.rs from tests/peers (after `npm ci` there):
//
//     node oauth4webapi_flow.mjs '<json config>'
//
// RFC 8414 discovery, authorization code + PKCE (S256), the authorization
// response checked by validateAuthResponse (state and RFC 9207 `iss`), the
// code exchange, refresh, the access token checked as an RFC 9068 JWT against
// our JWKS, introspection and revocation. The login page in between is filled
// in with fetch, as a browser would. Negative checks: callbacks with a wrong
// or missing `iss`, or a wrong state, must be refused by oauth4webapi.
//
// Prints one JSON line with what happened; the Rust test asserts on it. Exits
// non-zero with a message on stderr when a step fails.

const INSTALL_HINT =
  'the oauth4webapi interop peer is not installed: run scripts/test, or `cd tests/peers && npm ci`';

let oauth;
try {
  oauth = await import('oauth4webapi');
} catch (e) {
  console.error(`${INSTALL_HINT} (${e.message})`);
  process.exit(3);
}

function fail(msg) {
  console.error(`oauth4webapi peer: ${msg}`);
  process.exit(1);
}

function check(cond, msg) {
  if (!cond) fail(msg);
}

const cfg = JSON.parse(process.argv[2] ?? fail('usage: node oauth4webapi_flow.mjs <json config>'));
const issuer = new URL(cfg.issuer);

// Every request oauth4webapi makes goes through here: record how the client
// authenticated, then send it with the platform's fetch.
const seen = [];
async function recordingFetch(url, options) {
  const headers = new Headers(options.headers);
  let form = new URLSearchParams();
  if (typeof options.body === 'string') form = new URLSearchParams(options.body);
  else if (options.body instanceof URLSearchParams) form = options.body;
  const auth = headers.get('authorization') ?? '';
  const entry = {
    path: new URL(url).pathname,
    method: options.method,
    basic: auth.startsWith('Basic '),
    secret_in_body: form.has('client_secret'),
    grant_type: form.get('grant_type'),
  };
  const res = await fetch(url, options);
  entry.status = res.status;
  seen.push(entry);
  return res;
}

const opts = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: recordingFetch };

/** Which error a call throws: its `code`, or "none" if it succeeds. */
async function thrown(f) {
  try {
    await f();
    return 'none';
  } catch (e) {
    return `${e.code ?? e.name}: ${e.message}`;
  }
}

function pick(obj, keys) {
  return Object.fromEntries(keys.map((k) => [k, obj[k] ?? null]));
}

async function main() {
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oauth2' }),
  );
  const client = { client_id: cfg.client_id };
  const clientAuth =
    cfg.auth_method === 'client_secret_basic'
      ? oauth.ClientSecretBasic(cfg.client_secret)
      : oauth.ClientSecretPost(cfg.client_secret);

  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const authUrl = new URL(as.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: client.client_id,
    redirect_uri: cfg.redirect_uri,
    response_type: 'code',
    scope: cfg.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    authUrl.searchParams.set(k, v);
  }

  // The person's browser: the login page, then its form posted back with the
  // page's cookie; the answer is a redirect to the client.
  const page = await fetch(authUrl, { redirect: 'manual' });
  const html = await page.text();
  check(page.status === 200, `login page: HTTP ${page.status}: ${html.slice(0, 300)}`);
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  const action = html.match(/<form[^>]*\saction="([^"]*)"/)?.[1];
  check(action !== undefined, 'the login page has no form');
  const unescape = (s) =>
    s
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
    form.append(unescape(m[1]), unescape(m[2]));
  }
  check(form.has('csrf'), 'the login page has no csrf field');
  form.append('username', cfg.username);
  form.append('password', cfg.password);
  form.append('action', 'approve');
  const posted = await fetch(new URL(unescape(action), authUrl), {
    method: 'POST',
    body: form,
    headers: { cookie: cookies.join('; '), origin: 'null' },
    redirect: 'manual',
  });
  check(
    posted.status === 302 || posted.status === 303,
    `login: HTTP ${posted.status}: ${(await posted.text()).slice(0, 300)}`,
  );
  const callback = new URL(posted.headers.get('location'));

  // The negative checks run before the real one: none of them sends anything.
  const withParam = (name, value) => {
    const u = new URL(callback);
    if (value === null) u.searchParams.delete(name);
    else u.searchParams.set(name, value);
    return u;
  };
  const wrongIss = await thrown(() =>
    oauth.validateAuthResponse(as, client, withParam('iss', 'https://attacker.example'), state),
  );
  const missingIss = await thrown(() =>
    oauth.validateAuthResponse(as, client, withParam('iss', null), state),
  );
  const wrongState = await thrown(() =>
    oauth.validateAuthResponse(as, client, callback, oauth.generateRandomState()),
  );
  check(seen.length === 1, `a negative check sent a request: ${JSON.stringify(seen)}`);

  const params = oauth.validateAuthResponse(as, client, callback, state);

  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      cfg.redirect_uri,
      verifier,
      opts,
    ),
  );

  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, opts),
  );

  // A resource server's view: the access token as an RFC 9068 JWT, signature
  // checked against our JWKS.
  const claims = await oauth.validateJwtAccessToken(
    as,
    new Request('http://127.0.0.1/resource', {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    }),
    cfg.issuer,
    opts,
  );
  const tampered = refreshed.access_token.slice(0, -4) + (refreshed.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const tamperedJwt = await thrown(() =>
    oauth.validateJwtAccessToken(
      as,
      new Request('http://127.0.0.1/resource', { headers: { authorization: `Bearer ${tampered}` } }),
      cfg.issuer,
      opts,
    ),
  );

  const introspect = async (token) =>
    oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, clientAuth, token, opts),
    );
  const introBefore = await introspect(refreshed.access_token);

  await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, {
      ...opts,
      additionalParameters: { token_type_hint: 'refresh_token' },
    }),
  );

  let refreshAfterRevoke = 'accepted';
  try {
    await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, opts),
    );
  } catch (e) {
    refreshAfterRevoke = e instanceof oauth.ResponseBodyError ? e.error : `${e.code}: ${e.message}`;
  }
  const introRefreshAfter = await introspect(tokens.refresh_token);
  const introAccessAfter = await introspect(refreshed.access_token);

  return {
    peer: 'oauth4webapi',
    auth_method: cfg.auth_method,
    discovered: pick(as, [
      'issuer',
      'authorization_response_iss_parameter_supported',
      'code_challenge_methods_supported',
    ]),
    callback_iss: callback.searchParams.get('iss'),
    validated_code: params.has('code'),
    wrong_iss: wrongIss,
    missing_iss: missingIss,
    wrong_state: wrongState,
    token: {
      token_type: tokens.token_type,
      scope: tokens.scope ?? null,
      expires_in: tokens.expires_in ?? null,
      has_refresh_token: typeof tokens.refresh_token === 'string',
    },
    refreshed: {
      token_type: refreshed.token_type,
      new_access_token: refreshed.access_token !== tokens.access_token,
    },
    jwt_claims: pick(claims, ['iss', 'aud', 'client_id', 'scope', 'sub']),
    tampered_jwt: tamperedJwt,
    introspect_before_revoke: pick(introBefore, ['active', 'client_id', 'scope', 'token_type', 'iss']),
    refresh_after_revoke: refreshAfterRevoke,
    introspect_refresh_after_revoke: introRefreshAfter,
    introspect_access_after_revoke: introAccessAfter,
    requests: seen,
  };
}

try {
  console.log(JSON.stringify(await main()));
} catch (e) {
  fail(`${e.code ?? e.name}: ${e.message}${e.cause ? ` (cause: ${JSON.stringify(e.cause)})` : ''}`);
}
