//! Expected-output files under tests/expected/. `KEZEK_BLESS=1` writes
//! them; otherwise the output is compared and a difference is reported
//! line by line.

use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name)
}

/// Compare `actual` with the expected file `name` (or write it when blessing).
pub fn check(name: &str, actual: &str) -> Result<(), String> {
    let p = path(name);
    if std::env::var("KEZEK_BLESS").is_ok_and(|v| v == "1") {
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&p, actual).map_err(|e| format!("{}: {e}", p.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&p)
        .map_err(|e| format!("{}: {e} (run with KEZEK_BLESS=1 to create it)", p.display()))?;
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{} differs (KEZEK_BLESS=1 rewrites it after a deliberate change):\n{}",
        p.display(),
        diff(&expected, actual)
    ))
}

/// The differing lines, with their numbers: `-` expected, `+` actual.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = Vec::new();
    let mut shown = 0;
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x == y {
            continue;
        }
        if shown == 12 {
            out.push("  … more differences".to_string());
            break;
        }
        if let Some(x) = x {
            out.push(format!("{:>5} - {x}", i + 1));
        }
        if let Some(y) = y {
            out.push(format!("{:>5} + {y}", i + 1));
        }
        shown += 1;
    }
    if out.is_empty() {
        out.push("  (only the line endings or the final newline differ)".into());
    }
    out.join("\n")
}
