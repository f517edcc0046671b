// Preloaded by scripts/bench into the oidc-provider peer
// (node --import THIS tests/peers/oidc-provider.mjs).
//
// oidc-provider's in-memory adapter (its development default, which the peer
// uses) keeps at most 1000 entries in an LRU (lib/helpers/lru.js). Every
// refresh stores a new opaque access token there, so under benchmark volume
// the grants, codes and refresh tokens minted for the run are evicted within
// a second and the provider answers invalid_grant. This makes that store
// unbounded (entries still expire with their TTL): an in-memory store like a
// Map-backed adapter, which is what the benchmark means to compare with.
// Nothing else about the provider changes.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const pkg = path.dirname(require.resolve('oidc-provider/package.json'));
const { default: LRU } = await import(pathToFileURL(path.join(pkg, 'lib/helpers/lru.js')).href);

const stores = new WeakMap();
const mapOf = (self) => {
  let m = stores.get(self);
  if (!m) {
    m = new Map();
    stores.set(self, m);
  }
  return m;
};
const live = (m, key) => {
  const e = m.get(key);
  if (e && typeof e.expiry === 'number' && e.expiry <= Date.now()) {
    m.delete(key);
    return undefined;
  }
  return e;
};

LRU.prototype.get = function get(key) {
  return live(mapOf(this), key)?.value;
};
LRU.prototype.set = function set(key, value, { maxAge } = {}) {
  const expiry = typeof maxAge === 'number' && maxAge !== Number.POSITIVE_INFINITY
    ? Date.now() + maxAge
    : undefined;
  mapOf(this).set(key, { value, expiry });
  return this;
};
LRU.prototype.has = function has(key) {
  return live(mapOf(this), key) !== undefined;
};
LRU.prototype.delete = function del(key) {
  return mapOf(this).delete(key);
};
LRU.prototype.clear = function clear() {
  mapOf(this).clear();
};
Object.defineProperty(LRU.prototype, 'size', {
  get() {
    return mapOf(this).size;
  },
});
