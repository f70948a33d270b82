//! `keyless troubleshoot`: the likely cause and the fix of a pasted error
//! message, for the config's own names. Without a message, the list of entries.

use std::io::Read;
use std::path::PathBuf;

use keyless_core::troubleshoot::{self, Entry, Match};

use super::check_run::BadInput;

/// The command's usage, printed after an argument error.
pub const USAGE: &str = "  keyless troubleshoot --config FILE [--json] [TEXT...]
  TEXT       the error message, as printed (several arguments are joined with spaces;
             - reads it from standard input); or an entry's id, to show that entry
  no TEXT    lists the entries that apply to the config
  --json     print the matches (entry, matched error texts, scores) as JSON
  exit status 0 when an entry matches (or the list), 1 when none does, 2 bad input";

fn usage_error(message: impl Into<String>) -> BadInput {
    BadInput {
        message: message.into(),
        usage: true,
    }
}

/// Runs the command: `Ok(true)` when it found something to show.
pub fn run(args: &[String]) -> Result<bool, BadInput> {
    let mut config = None;
    let mut json = false;
    let mut text: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--config" => {
                config = Some(PathBuf::from(
                    iter.next()
                        .ok_or_else(|| usage_error("--config needs a value"))?,
                ))
            }
            "--json" => json = true,
            "--" => text.extend(iter.by_ref().cloned()),
            flag if flag.starts_with("--") => {
                return Err(usage_error(format!("unexpected argument {flag:?}")))
            }
            _ => text.push(arg.clone()),
        }
    }
    let config_path = config.ok_or_else(|| usage_error("--config FILE is required"))?;
    let config = super::load(&config_path)?;
    let mut pasted = text.join(" ");
    if pasted == "-" {
        pasted.clear();
        std::io::stdin()
            .read_to_string(&mut pasted)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    }
    let pasted = pasted.trim();

    if pasted.is_empty() {
        let all = troubleshoot::entries(&config);
        if json {
            print_json(&troubleshoot::matching(&config, ""))?;
            return Ok(true);
        }
        println!("Entries for {}:", config_path.display());
        for entry in all.iter().filter(|e| e.applies) {
            println!("  {:<24} {}", entry.id, entry.title);
        }
        let others: Vec<&str> = all.iter().filter(|e| !e.applies).map(|e| e.id).collect();
        if !others.is_empty() {
            println!("Not for this config as generated: {}", others.join(", "));
        }
        println!(
            "Paste an error message, or name an entry: keyless troubleshoot --config FILE TEXT"
        );
        return Ok(true);
    }

    let found = troubleshoot::search(&config, pasted);
    if found.len() == 1 && found[0].entry.id == pasted {
        if json {
            print_json(&found)?;
        } else {
            print_entry(&found[0]);
        }
        return Ok(true);
    }
    if json {
        print_json(&found)?;
        return Ok(!found.is_empty());
    }
    if found.is_empty() {
        eprintln!(
            "No entry matches that text. Run keyless troubleshoot --config {} for the list.",
            config_path.display()
        );
        return Ok(false);
    }
    print_entry(&found[0]);
    if found.len() > 1 {
        println!("\nAlso matching (keyless troubleshoot --config FILE ID shows one):");
        for m in &found[1..] {
            println!("  {:<24} {}", m.entry.id, m.entry.title);
        }
    }
    Ok(true)
}

fn print_json(found: &[Match]) -> Result<(), String> {
    let text = serde_json::to_string_pretty(found).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn print_entry(found: &Match) {
    let entry: &Entry = &found.entry;
    println!("{}: {}", entry.id, entry.title);
    if !found.matched.is_empty() {
        let quoted: Vec<String> = found.matched.iter().map(|m| format!("\"{m}\"")).collect();
        println!("matched: {}", quoted.join(", "));
    } else if found.word_score > 0 {
        println!("matched: words only");
    }
    if !entry.applies {
        println!(
            "note: this error should not happen with the config as generated; the cause says why"
        );
    }
    println!("cause: {}", entry.cause);
    println!("fix:");
    for (i, step) in entry.fix.iter().enumerate() {
        println!("  {}. {}", i + 1, step.text);
        for line in step.code.iter().flat_map(|code| code.lines()) {
            println!("       {line}");
        }
    }
    if !entry.see_also.is_empty() {
        println!("see also: {}", entry.see_also.join(", "));
    }
}
