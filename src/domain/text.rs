//! Names that exist in the three interface languages.

use serde::{Deserialize, Serialize};

/// A language of the interface and of the documents kezek produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

/// One name in Kazakh, Russian and English. Rule files must give all three.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub kk: String,
    pub ru: String,
    pub en: String,
}

impl Names {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Kk => &self.kk,
            Lang::Ru => &self.ru,
            Lang::En => &self.en,
        }
    }

    /// The first language whose name is blank, if any.
    pub fn missing(&self) -> Option<Lang> {
        [Lang::Kk, Lang::Ru, Lang::En]
            .into_iter()
            .find(|&l| self.get(l).trim().is_empty())
    }
}

/// Control characters and the bidirectional overrides that can make text
/// read differently from what it is.
pub fn is_unsafe(c: char) -> bool {
    // C0 and C1 controls (is_control), the embedding, override and isolate
    // controls, the implicit direction marks, and the line and paragraph
    // separators (a line break to JavaScript and to some terminals).
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Serialized JSON with every [`is_unsafe`] character that serde_json
/// leaves raw (C1 controls, direction controls, U+2028/2029) written as a
/// `\uXXXX` escape. JSON's own syntax is ASCII, so every such character is
/// inside a string, where the escape means the same character.
pub fn json_safe(json: String) -> String {
    // Raw line breaks and tabs are JSON's own whitespace: serde_json
    // escapes them inside strings.
    let raw = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Text from a file or a user, safe to print on a terminal: control
/// characters (escape sequences included) are shown escaped, never sent raw.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Case-insensitive form for search: Latin and Cyrillic, Kazakh letters
/// (ә ғ қ ң ө ұ ү һ і) included.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appended to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// A plain Latin spelling of lower-case Cyrillic text (Kazakh and Russian),
/// so that "nurlan" finds "Нурлан" and "Нурлан" finds "Nurlan". Latin text
/// passes through, so both sides of a comparison can go through it.
pub fn translit(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    translit_into(folded, &mut out);
    out
}

/// [`translit`], appended to `out`.
pub fn translit_into(folded: &str, out: &mut String) {
    for c in folded.chars() {
        let s = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'й' | 'ы' => "y",
            'к' | 'қ' => "k",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' | 'һ' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ю' => "yu",
            'я' => "ya",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(s);
    }
}

/// The Kazakh Cyrillic alphabet in its order; Russian's 33 letters are a
/// subsequence of it, so one order serves both.
const ALPHABET: &str = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя";

/// A key that sorts names in Kazakh alphabetical order (Cyrillic letters by
/// their place in the alphabet, Latin after Cyrillic, case ignored).
pub fn sort_key(s: &str) -> Vec<u32> {
    fold(s)
        .chars()
        .map(|c| match ALPHABET.chars().position(|a| a == c) {
            Some(i) => 0x1_0000 + i as u32,
            None if c.is_alphabetic() => 0x2_0000 + c as u32,
            None => c as u32,
        })
        .collect()
}

#[cfg(test)]
mod json_safe_tests {
    use super::*;

    #[test]
    fn unsafe_characters_leave_json_escaped_and_mean_the_same() {
        let v = serde_json::json!({ "name": "a\u{9b}b\u{202e}c\u{2028}d\u{1b}e", "n": 1 });
        let out = json_safe(serde_json::to_string_pretty(&v).expect("json"));
        assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n'), "{out}");
        assert!(out.contains("\\u009b") && out.contains("\\u202e") && out.contains("\\u2028"));
        let back: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(back, v);
    }
}
