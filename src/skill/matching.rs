//! Names as Alexa hears them against the names Music Assistant knows.
//! Music Assistant's search is a plain substring match ("midnite owls"
//! finds nothing), so the spoken name is first matched fuzzily against the
//! library's names (cached, see [`crate::skill::library`]) and the search
//! then asks for the name found.
//!
//! A name's *key* ignores case, accents, punctuation and a leading "the";
//! "&" and "+" read "and", "/" a space ("Simon & Garfunkel" is "simon and
//! garfunkel", "AC/DC" is "ac dc"). Its *sound* also folds spellings that
//! sound alike ("nite"/"night", "ph"/"f", doubled letters). Two names score
//! 0 to 1: the better of the keys' and the sounds' edit-distance ratio, a
//! high score when every spoken word is in the name ("midnight owls" in
//! "The Midnight Owls"), and nearly 1 when only the spaces differ (letters
//! spelled out: "a. c. d. c." is AC/DC).

/// At or above this score a library name is taken for the spoken one.
pub const ACCEPT: f32 = 0.72;
/// At or above this score a name is offered as "did you mean".
pub const SUGGEST: f32 = 0.4;

/// Lower case, accents folded, punctuation to spaces, spaces collapsed.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match fold(c) {
            Some(f) => out.push_str(f),
            None if c.is_alphanumeric() => out.push(c),
            None if c == '&' || c == '+' => out.push_str(" and "),
            None => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ł' => "l",
        'š' => "s",
        'ž' => "z",
        '\'' | '’' | '`' => "",
        _ => return None,
    })
}

/// The normalized name without a leading article.
pub fn key(s: &str) -> String {
    let n = normalize(s);
    // English, German, then the other tables' languages (French, Spanish,
    // Italian, Dutch, Portuguese): "la cuisine" is the player "Cuisine".
    for article in [
        "the ", "a ", "die ", "der ", "das ", "le ", "la ", "les ", "el ", "los ", "las ", "il ",
        "lo ", "gli ", "het ", "de ", "o ", "os ", "as ",
    ] {
        if let Some(rest) = n.strip_prefix(article)
            && !rest.is_empty()
        {
            return rest.to_owned();
        }
    }
    n
}

/// The key with spellings that sound alike folded together.
pub fn sound(s: &str) -> String {
    key(s)
        .split(' ')
        .map(sound_word)
        .collect::<Vec<_>>()
        .join(" ")
}

fn sound_word(w: &str) -> String {
    let mut w = w
        .replace("ght", "t")
        .replace("ph", "f")
        .replace("ck", "k")
        .replace("qu", "kw")
        .replace('z', "s")
        .replace('y', "i");
    let mut collapsed = String::with_capacity(w.len());
    let mut last = None;
    for c in w.chars() {
        if Some(c) != last {
            collapsed.push(c);
        }
        last = Some(c);
    }
    w = collapsed;
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    const FAR: usize = usize::MAX / 4;
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(FAR) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(FAR) + 1;
            let ins = cur.last().copied().unwrap_or(FAR) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

fn ratio(a: &str, b: &str) -> f32 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    1.0 - levenshtein(&a, &b) as f32 / longest as f32
}

/// How well `spoken` names `name`, 0 to 1 (1: the same key).
pub fn score(spoken: &str, name: &str) -> f32 {
    let (sk, nk) = (key(spoken), key(name));
    if sk.is_empty() || nk.is_empty() {
        return 0.0;
    }
    if sk == nk {
        return 1.0;
    }
    let (ss, ns) = (sound(spoken), sound(name));
    let mut best = ratio(&sk, &nk).max(ratio(&ss, &ns));
    // Spelled-out letters ("a. c. d. c.": its "a" is no article here).
    let compact = |s: &str| normalize(s).replace(' ', "");
    if ss == ns || compact(spoken) == compact(name) {
        best = best.max(0.97);
    }
    let name_words: Vec<&str> = ns.split(' ').collect();
    if ss.split(' ').all(|w| name_words.contains(&w)) {
        let share = ss.len() as f32 / ns.len().max(1) as f32;
        best = best.max(0.75 + 0.2 * share.min(1.0));
    }
    best
}

/// Whether `name` is close enough to `spoken` to be offered as "the
/// closest I have": a fair score, and a word in common (as it sounds),
/// unless the whole is quite alike. "harbor lights" is close to "Harbor
/// Song"; "the rolling stones" is close to nothing in a library without
/// them.
pub fn close(spoken: &str, name: &str) -> bool {
    let s = score(spoken, name);
    if s >= 0.6 {
        return true;
    }
    let name_sound = sound(name);
    let words: Vec<&str> = name_sound.split(' ').collect();
    s >= SUGGEST
        && sound(spoken)
            .split(' ')
            .any(|w| w.chars().count() >= 3 && words.contains(&w))
}

/// The best-scoring candidate and its score (ties: the first).
pub fn best<'a, T>(
    spoken: &str,
    candidates: impl IntoIterator<Item = &'a T>,
    name: impl Fn(&T) -> &str,
) -> Option<(&'a T, f32)>
where
    T: 'a,
{
    let mut top: Option<(&'a T, f32)> = None;
    for c in candidates {
        let s = score(spoken, name(c));
        if top.is_none_or(|(_, t)| s > t) {
            top = Some((c, s));
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_accents_punctuation_and_articles() {
        assert_eq!(key("  The Midnight-Owls! "), "midnight owls");
        assert_eq!(key("Beyoncé"), "beyonce");
        assert_eq!(key("Küche"), "kuche");
        assert_eq!(key("Wohnzimmer (oben)"), "wohnzimmer oben");
        assert_eq!(key("Simon & Garfunkel"), "simon and garfunkel");
        assert_eq!(key("AC/DC"), "ac dc");
        assert_eq!(key("Rock + Roll Mix"), "rock and roll mix");
        assert_eq!(key("The"), "the");
    }

    #[test]
    fn spoken_names_find_the_library_name() {
        let names = ["The Midnight Owls", "Aurora Lane", "Blue Harbor Trio"];
        for (spoken, want) in [
            ("midnite owls", "The Midnight Owls"),
            ("the midnight owl", "The Midnight Owls"),
            ("aurora lain", "Aurora Lane"),
            ("blue harbour trio", "Blue Harbor Trio"),
            ("aurora", "Aurora Lane"),
        ] {
            let (got, s) = best(spoken, names.iter(), |n| n).unwrap();
            assert_eq!(*got, want, "{spoken}");
            assert!(s >= ACCEPT, "{spoken}: {s}");
        }
        let (_, s) = best("radiohead", names.iter(), |n| n).unwrap();
        assert!(s < ACCEPT, "radiohead scored {s}");
        assert!(score("Polar Nite", "Polar Night") >= ACCEPT);
        assert!(score("coffee", "Coffee Time") >= ACCEPT);
        assert!(score("", "x") == 0.0);
    }

    #[test]
    fn names_with_symbols_are_found_as_they_are_said() {
        for (spoken, name) in [
            ("simon and garfunkel", "Simon & Garfunkel"),
            ("ac dc", "AC/DC"),
            ("a. c. d. c.", "AC/DC"),
            ("acdc", "AC/DC"),
            ("rock and roll mix", "Rock & Roll Mix"),
            ("rock and roll mix", "Rock + Roll Mix"),
            ("rock and roll mix", "Rock & Roll… Mix!"),
            ("guns and roses", "Guns N' Roses"),
        ] {
            let s = score(spoken, name);
            assert!(s >= ACCEPT, "{spoken} / {name}: {s}");
        }
        assert!(score("rock and roll", "Rock & Roll Mix") >= ACCEPT);
        assert!(close("harbor lights", "Harbor Song"));
        assert!(!close("the rolling stones", "Opening Set"));
        assert!(!close("radiohead", "Aurora Lane"));
        assert!(score("rock and roll mix", "Roll Over Beethoven") < ACCEPT);
    }
}
