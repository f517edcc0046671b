//! `samples!`: sample utterances written compactly, as every concatenation of
//! one string from each of three lists (verbs, what follows, room endings),
//! expanded at compile time into the `&'static [&'static str]` a table
//! holds. `samples!(["mets", "joue"] [" {song}"] ["", " dans la {room}"])` is
//! `&["mets {song}", "mets {song} dans la {room}", "joue {song}", ...]`;
//! several groups are separated by `;`.

macro_rules! samples {
    ($([$($a:literal),* $(,)?] [$($b:literal),* $(,)?] [$($c:literal),* $(,)?]);* $(;)?) => {
        $crate::skill::phrases::expand::samples!(@g [] $([$($a),*] [$($b),*] [$($c),*] ;)*)
    };
    (@g [$($acc:expr),*]) => { &[$($acc),*] };
    (@g [$($acc:expr),*] [] [$($b:literal),*] [$($c:literal),*] ; $($rest:tt)*) => {
        $crate::skill::phrases::expand::samples!(@g [$($acc),*] $($rest)*)
    };
    (@g [$($acc:expr),*] [$a:literal $(, $ar:literal)*] [$($b:literal),*] [$($c:literal),*] ; $($rest:tt)*) => {
        $crate::skill::phrases::expand::samples!(@h [$($acc),*] $a [$($b),*] [$($c),*] ;
            [$($ar),*] [$($b),*] [$($c),*] ; $($rest)*)
    };
    (@h [$($acc:expr),*] $a:literal [] [$($c:literal),*] ; $($rest:tt)*) => {
        $crate::skill::phrases::expand::samples!(@g [$($acc),*] $($rest)*)
    };
    (@h [$($acc:expr),*] $a:literal [$b:literal $(, $br:literal)*] [$($c:literal),*] ; $($rest:tt)*) => {
        $crate::skill::phrases::expand::samples!(@h [$($acc,)* $(concat!($a, $b, $c)),*] $a [$($br),*] [$($c),*] ; $($rest)*)
    };
}

pub(crate) use samples;

#[cfg(test)]
mod tests {
    #[test]
    fn every_combination_in_order() {
        let s: &[&str] = samples!(["mets", "joue"] [" {song}", " la chanson {song}"] ["", " dans la {room}"];
            ["pause"] [""] [""]);
        assert_eq!(
            s,
            [
                "mets {song}",
                "mets {song} dans la {room}",
                "mets la chanson {song}",
                "mets la chanson {song} dans la {room}",
                "joue {song}",
                "joue {song} dans la {room}",
                "joue la chanson {song}",
                "joue la chanson {song} dans la {room}",
                "pause",
            ]
        );
    }
}
