//! kezek: the migration-police inspector's console.
//!
//! Layers, top to bottom (imports point down only): `cli` → `tui` → `app`
//! → `ui` → `base` → `store` → `config` →
//! `domain`. See ARCHITECTURE.md.

pub mod app;
pub mod base;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod logfile;
pub mod notice;
pub mod outfile;
pub mod privilege;
pub mod report;
pub mod store;
pub mod termcaps;
pub mod tui;
pub mod ui;
