//! README's key tables are the built-in keymap, as `?` shows it: every
//! binding of each context, with the English help text, in order. A key
//! added, moved or renamed without README fails here.

use kezek::app::keymap::{Context, Keymap};
use kezek::app::{self, Action, Model, Screen};
use kezek::domain::case::Actor;
use kezek::domain::procedure::Role;
use kezek::i18n::{Lang, t};

fn table(keys: &Keymap, ctx: Context) -> Vec<String> {
    keys.bindings(ctx)
        .iter()
        .filter(|(_, k)| !k.is_empty())
        .map(|(cmd, k)| {
            let labels: Vec<String> = k.iter().map(|k| format!("`{}`", k.label())).collect();
            format!("| {} | {} |", labels.join(" "), t(Lang::En, cmd.help_key()))
        })
        .collect()
}

fn readme_section(readme: &str, ctx: Context) -> Vec<String> {
    let start = format!("<!-- keys:{} -->", ctx.name());
    let from = readme
        .find(&start)
        .unwrap_or_else(|| panic!("README has no {start}"));
    let rest = &readme[from + start.len()..];
    let to = rest.find("<!-- /keys -->").expect("end of the key table");
    rest[..to]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_key_tables_are_the_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let keys = Keymap::built_in();
    let mut wrong = Vec::new();
    for ctx in Context::ALL {
        let want = table(&keys, ctx);
        let have = readme_section(&readme, ctx);
        if want != have {
            wrong.push(format!(
                "README's [{}] table should read:\n{}\n",
                ctx.name(),
                want.join("\n")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_help_lists_what_the_tables_list() {
    // A supervisor sees every command; `?` on the queue and in the
    // checklist lists the bindings of those contexts (the checklist's own,
    // then the case's), the same rows README shows.
    let keys = Keymap::built_in();
    let mut m = Model::new(
        Actor {
            login: "boss".into(),
            role: Role::Supervisor,
        },
        chrono::Utc::now(),
    );
    let help: Vec<String> = app::help_entries(&m)
        .into_iter()
        .map(|(k, h)| format!("{k} {h}"))
        .collect();
    let queue: Vec<String> = keys
        .bindings(Context::Queue)
        .iter()
        .map(|(c, k)| {
            let l: Vec<String> = k.iter().map(|k| k.label()).collect();
            format!("{} {}", l.join(" "), t(Lang::En, c.help_key()))
        })
        .collect();
    assert_eq!(help, queue);
    assert!(matches!(m.screen, Screen::Queue));
    app::update(&mut m, Action::Help);
    assert!(m.help.is_some());
}
