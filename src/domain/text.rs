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
