//! The JSON Alexa expects back: speech (SSML, every inserted name escaped),
//! an optional reprompt (the session stays open), the `LinkAccount` card,
//! directives (dynamic entities, slot elicitation), session attributes; or
//! no response content at all ([`Reply::nothing`]).

use serde_json::{Map, Value, json};

/// Text for SSML: `&`, `<`, `>` and quotes escaped, so a name such as
/// "Simon & Garfunkel" or "<3" never breaks the speech.
pub fn ssml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value offered to Alexa for a custom slot type for the rest of the
/// session (`Dialog.UpdateDynamicEntities`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub name: String,
}

/// What a response may tell the device to do besides speaking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// Recognition favours these names for these custom slot types
    /// (`updateBehavior: REPLACE`).
    DynamicEntities(Vec<(&'static str, Vec<Entity>)>),
    /// The skill asks for one slot of `intent` (`Dialog.ElicitSlot`): Alexa
    /// hears the answer with that slot's own samples ("kitchen", "in the
    /// kitchen") and sends `intent` again with `slots` and the answer.
    /// `intent` may be another intent than the request's (intent chaining,
    /// also from a `LaunchRequest`); the model has a dialog model for it.
    ElicitSlot {
        slot: &'static str,
        intent: &'static str,
        /// Every slot of `intent` (name, value so far).
        slots: Vec<(&'static str, Option<String>)>,
    },
    // Reserved for later work: playing on the Echo itself (`AudioPlayer.Play`
    // with a stream URL relayed from Music Assistant's stream server,
    // `AudioPlayer.Stop`, `AudioPlayer.ClearQueue`). A variant goes here and
    // its JSON in `Directive::json`; nothing else in the skill changes.
}

/// At most this many values per slot type in one directive (Amazon's limit
/// is about 100 per directive in total: *check*).
pub const MAX_ENTITIES: usize = 100;

impl Directive {
    fn json(&self) -> Value {
        match self {
            Directive::DynamicEntities(types) => {
                let types: Vec<Value> = types
                    .iter()
                    .map(|(name, values)| {
                        let values: Vec<Value> = values
                            .iter()
                            .map(|e| json!({"id": e.id, "name": {"value": e.name}}))
                            .collect();
                        json!({"name": name, "values": values})
                    })
                    .collect();
                json!({"type": "Dialog.UpdateDynamicEntities", "updateBehavior": "REPLACE", "types": types})
            }
            Directive::ElicitSlot {
                slot,
                intent,
                slots,
            } => {
                let slots: Map<String, Value> = slots
                    .iter()
                    .map(|(name, value)| {
                        let mut s = json!({"name": name, "confirmationStatus": "NONE"});
                        if let Some(v) = value {
                            s["value"] = json!(v);
                        }
                        (name.to_string(), s)
                    })
                    .collect();
                json!({"type": "Dialog.ElicitSlot", "slotToElicit": slot,
                    "updatedIntent": {"name": intent, "confirmationStatus": "NONE", "slots": slots}})
            }
        }
    }
}

/// One answer to Alexa.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    /// SSML body (without `<speak>`), already escaped; None: silent.
    pub speech: Option<String>,
    /// When set the session stays open and this is said if the person is silent.
    pub reprompt: Option<String>,
    pub link_account: bool,
    pub directives: Vec<Directive>,
    pub attributes: Map<String, Value>,
    /// Keep the session open without a reprompt (rare: launch sets a reprompt).
    pub end_session: bool,
    /// No response content at all: `{"version": "1.0", "response": {}}`.
    pub nothing: bool,
}

impl Reply {
    /// Speaks `ssml` and ends the session.
    pub fn say(ssml: impl Into<String>) -> Reply {
        Reply {
            speech: Some(ssml.into()),
            end_session: true,
            ..Reply::default()
        }
    }

    /// Speaks `ssml` and waits for an answer (reprompt `again`).
    pub fn ask(ssml: impl Into<String>, again: impl Into<String>) -> Reply {
        Reply {
            speech: Some(ssml.into()),
            reprompt: Some(again.into()),
            end_session: false,
            ..Reply::default()
        }
    }

    /// No response content at all: what Amazon requires for
    /// `SessionEndedRequest` and `System.ExceptionEncountered` (and what
    /// the `AudioPlayer.*` events may get).
    pub fn nothing() -> Reply {
        Reply {
            nothing: true,
            ..Reply::default()
        }
    }

    /// Asks the person to link the account, with the `LinkAccount` card.
    pub fn link_account(ssml: impl Into<String>) -> Reply {
        Reply {
            link_account: true,
            ..Reply::say(ssml)
        }
    }

    pub fn with_directive(mut self, d: Directive) -> Reply {
        self.directives.push(d);
        self
    }

    pub fn with_attribute(mut self, key: &str, v: Value) -> Reply {
        self.attributes.insert(key.to_owned(), v);
        self
    }

    /// The response document.
    pub fn to_json(&self) -> Value {
        if self.nothing {
            return json!({"version": "1.0", "response": {}});
        }
        let mut response = Map::new();
        if let Some(s) = &self.speech {
            response.insert("outputSpeech".into(), speech(s));
        }
        if let Some(r) = &self.reprompt {
            response.insert("reprompt".into(), json!({"outputSpeech": speech(r)}));
        }
        if self.link_account {
            response.insert("card".into(), json!({"type": "LinkAccount"}));
        }
        if !self.directives.is_empty() {
            let d: Vec<Value> = self.directives.iter().map(Directive::json).collect();
            response.insert("directives".into(), Value::Array(d));
        }
        let end = self.end_session && self.reprompt.is_none();
        response.insert("shouldEndSession".into(), Value::Bool(end));
        json!({"version": "1.0", "sessionAttributes": self.attributes, "response": response})
    }
}

fn speech(ssml: &str) -> Value {
    json!({"type": "SSML", "ssml": format!("<speak>{ssml}</speak>")})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_names_and_builds_the_document() {
        assert_eq!(
            ssml_escape(r#"Simon & "Garfunkel" <3 it's"#),
            "Simon &amp; &quot;Garfunkel&quot; &lt;3 it&apos;s"
        );
        let r = Reply::link_account("Open the Alexa app.").to_json();
        assert_eq!(r["response"]["card"]["type"], "LinkAccount");
        assert_eq!(
            r["response"]["outputSpeech"]["ssml"],
            "<speak>Open the Alexa app.</speak>"
        );
        assert_eq!(r["response"]["shouldEndSession"], true);
        let nothing = Reply::nothing().to_json();
        assert_eq!(nothing, json!({"version": "1.0", "response": {}}));
        let ask = Reply::ask("Which one?", "Kitchen or Office?")
            .with_directive(Directive::DynamicEntities(vec![(
                "ROOM",
                vec![Entity {
                    id: "k".into(),
                    name: "Kitchen".into(),
                }],
            )]))
            .to_json();
        assert_eq!(ask["response"]["shouldEndSession"], false);
        assert_eq!(ask["response"]["reprompt"]["outputSpeech"]["type"], "SSML");
        let d = &ask["response"]["directives"][0];
        assert_eq!(d["type"], "Dialog.UpdateDynamicEntities");
        assert_eq!(d["updateBehavior"], "REPLACE");
        assert_eq!(d["types"][0]["values"][0]["name"]["value"], "Kitchen");
        let elicit = Reply::ask("Which player?", "Which player?")
            .with_directive(Directive::ElicitSlot {
                slot: "room",
                intent: "PlayIntent",
                slots: vec![("query", Some("jazz".into())), ("room", None)],
            })
            .to_json();
        let d = &elicit["response"]["directives"][0];
        assert_eq!(d["type"], "Dialog.ElicitSlot");
        assert_eq!(d["slotToElicit"], "room");
        assert_eq!(d["updatedIntent"]["name"], "PlayIntent");
        assert_eq!(d["updatedIntent"]["slots"]["query"]["value"], "jazz");
        assert!(d["updatedIntent"]["slots"]["room"].get("value").is_none());
        assert_eq!(elicit["response"]["shouldEndSession"], false);
    }
}
