// The test CA in place of Amazon's, for the Node.js skill peers
// (skill_verify.mjs, ask-sdk-skill.mjs), from two variables:
//   SKILL_TEST_FILES  a directory: https://s3.amazonaws.com/<path> is
//                     answered from DIR/<path> (404 when missing), any
//                     other host fails, so nothing leaves the machine;
//   SKILL_TEST_ROOTS  a PEM file: its roots are added beside the bundled
//                     roots that ask-sdk's verifier (helper.generateCAStore)
//                     checks a chain against.
// `https.get` is patched on the shared `node:https` module, so every
// library in the process (alexa-verifier too) fetches the same way.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { PassThrough } from 'node:stream';

export function useTestChain(askHelper) {
  const roots = fs.readFileSync(process.env.SKILL_TEST_ROOTS, 'utf8');
  const files = process.env.SKILL_TEST_FILES;
  if (!files) {
    throw new Error('SKILL_TEST_FILES is not set');
  }
  https.get = function testGet(target, cb) {
    const req = new EventEmitter();
    req.end = () => {};
    process.nextTick(() => {
      const url = new URL(String(target));
      if (url.hostname !== 's3.amazonaws.com') {
        req.emit('error', new Error(`test: no network (${url.hostname})`));
        return;
      }
      let data = null;
      try {
        data = fs.readFileSync(path.join(files, decodeURIComponent(url.pathname)));
      } catch {
        data = null;
      }
      const resp = new PassThrough();
      resp.statusCode = data ? 200 : 404;
      cb(resp);
      resp.end(data ?? Buffer.alloc(0));
    });
    return req;
  };
  const originalStore = askHelper.generateCAStore;
  askHelper.generateCAStore = (certs) => originalStore([...certs, roots]);
}
