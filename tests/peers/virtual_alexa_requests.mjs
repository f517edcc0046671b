// Requests as Alexa would send them, built by virtual-alexa (pinned in
// package.json) from OUR interaction model (`ma-alexa-oauth skill model`):
// utterance -> intent and slots. Reads one JSON object on stdin
//   {model, locale, skillId, values: {SLOT_TYPE: [names]}, steps: [{utterance} | {intent, slots} | {launch: true}]}
// and prints one JSON line per step: {ok: true, request} or {ok: false, error}.
// virtual-alexa fills a custom slot only with a value its type lists, where
// Alexa takes any; `values` adds the names a test speaks to the types, as the
// skill's dynamic entities do for a session. Nothing is sent anywhere: the
// handler captures the request; tests/skill sign and post it.
import fs from "node:fs";
import va from "virtual-alexa";

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const model = input.model;
for (const t of model.interactionModel.languageModel.types) {
  for (const v of input.values[t.name] || []) t.values.push({ name: { value: v } });
}
let captured = null;
const alexa = va.VirtualAlexa.Builder()
  .handler((event, _context, callback) => {
    captured = event;
    callback(null, { version: "1.0", response: { shouldEndSession: true } });
  })
  .interactionModel(model)
  .locale(input.locale)
  .applicationID(input.skillId)
  .create();
for (const step of input.steps) {
  captured = null;
  try {
    if (step.utterance) await alexa.utter(step.utterance);
    else if (step.intent) await alexa.intend(step.intent, step.slots || {});
    else await alexa.launch();
    console.log(JSON.stringify({ ok: true, request: captured }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e && e.message) }));
  }
}
