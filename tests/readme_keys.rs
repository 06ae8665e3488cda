//! README's key table is the built-in keymap, as `?` shows it: every key
//! of every screen with its help text (in English), and every `:` command
//! with its usage. A key added to a screen without its README row, or a
//! row left behind, fails here.

use kezek::app::COMMANDS;
use kezek::app::keymap::{Context, Keymap};
use kezek::i18n::{Lang, t};

fn expected() -> String {
    let keys = Keymap::built_in();
    let mut out = String::new();
    for ctx in Context::ALL {
        out.push_str(&format!("\n| {} | |\n| --- | --- |\n", ctx.name()));
        for (cmd, ks) in keys.bindings(ctx) {
            let label: Vec<String> = ks.iter().map(|k| format!("`{}`", k.label())).collect();
            out.push_str(&format!(
                "| {} | {} |\n",
                label.join(" "),
                t(Lang::En, cmd.help_key()).replace('|', "\\|")
            ));
        }
    }
    out.push_str("\n| command | |\n| --- | --- |\n");
    for (name, usage) in COMMANDS {
        let usage = t(Lang::En, usage);
        let (syntax, what) = usage.split_once("  ").unwrap_or((usage, ""));
        let syntax = format!("`{}`", syntax.trim_start_matches(':').replace('|', "\\|"));
        let what = what.trim().replace('|', "\\|");
        let cell = if what.is_empty() {
            syntax
        } else {
            format!("{syntax} {what}")
        };
        out.push_str(&format!("| `:{name}` | {cell} |\n"));
    }
    out
}

#[test]
fn readme_key_table_matches_the_keymap_and_the_commands() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let begin = "<!-- keys:begin -->";
    let end = "<!-- keys:end -->";
    let from = readme.find(begin).expect("README has the key table") + begin.len();
    let to = readme.find(end).expect("the key table ends");
    let table = &readme[from..to];
    let want = expected();
    assert_eq!(
        table.trim(),
        want.trim(),
        "README's key table differs from the keymap; it should read:\n{want}"
    );
}
