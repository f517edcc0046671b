//! The skill id's format: `amzn1.ask.skill.` and a UUID (lower-case hex,
//! 8-4-4-4-12), as the developer console shows it.

/// The prefix of every custom skill's id.
pub const SKILL_ID_PREFIX: &str = "amzn1.ask.skill.";

/// Checks `s` (surrounding spaces ignored) and returns it, or why it is not a skill id.
pub fn parse_skill_id(s: &str) -> Result<String, String> {
    let s = s.trim();
    let Some(uuid) = s.strip_prefix(SKILL_ID_PREFIX) else {
        return Err(format!(
            "{s:?} is not a skill id: it must look like {SKILL_ID_PREFIX}xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx \
             (the developer console shows it under the skill's name)"
        ));
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let hex = groups.iter().all(|g| {
        g.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    });
    if lens != [8, 4, 4, 4, 12] || !hex {
        return Err(format!(
            "{s:?} is not a skill id: after {SKILL_ID_PREFIX} comes a UUID in lower-case \
             hexadecimal, 8-4-4-4-12 digits"
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_id_format() {
        let id = "amzn1.ask.skill.0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        assert_eq!(parse_skill_id(id).unwrap(), id);
        assert_eq!(parse_skill_id(&format!(" {id}\n")).unwrap(), id);
        for bad in [
            "",
            "amzn1.ask.skill.",
            "amzn1.ask.skill.0A1B2C3D-4E5F-6789-ABCD-EF0123456789",
            "amzn1.ask.skill.0a1b2c3d-4e5f-6789-abcd-ef012345678",
            "amzn1.ask.skill.0a1b2c3d4e5f6789abcdef0123456789",
            "amzn1.echo-sdk-ams.app.0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "amzn1.ask.skill.0a1b2c3d-4e5f-6789-abcd-ef012345678g",
        ] {
            assert!(parse_skill_id(bad).is_err(), "{bad}");
        }
    }
}
