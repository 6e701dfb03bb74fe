//! `wenshu history …` and `wenshu glossary …`: thin wrappers over the
//! store's API, printing tables or JSON.

use std::path::Path;

use std::io::Write;

use serde_json::json;
use wenshu_core::checks::terms::{TermKind, TermMode};
use wenshu_core::store::{self, export, now_ms};

use crate::args::{GlossaryCommand, HistoryCommand, TermKindArg, TermModeArg};
use crate::{CliError, Failure};

fn age_ms(spec: &str) -> Result<i64, Failure> {
    let spec = spec.trim();
    let bad = || Failure::from(CliError::InvalidAge(spec.to_string()));
    let (num, unit) = spec.split_at(spec.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let unit_ms = match unit {
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return Err(bad()),
    };
    Ok(n * unit_ms)
}

fn print_summaries(rows: &[store::RunSummary], json: bool) -> Result<(), Failure> {
    if json {
        return crate::print_json(&json!({ "runs": rows }));
    }
    for r in rows {
        println!(
            "{:>6}  {}  {:<9} {:<9} {:>7}→{:<7}  {}",
            r.id,
            export::format_time(r.created_at),
            r.task,
            r.status.to_string(),
            r.source_lang,
            r.target_lang,
            r.preview
        );
    }
    Ok(())
}

pub fn run_history(cmd: HistoryCommand, db: Option<&Path>) -> Result<u8, Failure> {
    let session = crate::session(db, None)?;
    let mut store = session.open_store()?;
    match cmd {
        HistoryCommand::List { limit, page, json } => {
            let rows = store.list(limit, limit * page.saturating_sub(1))?;
            print_summaries(&rows, json)?;
        }
        HistoryCommand::Search { query, limit, json } => {
            let rows = store.search(&query, limit)?;
            print_summaries(&rows, json)?;
        }
        HistoryCommand::Show { id, json } => {
            let run = store.get(id)?;
            if json {
                crate::print_json(&run)?;
            } else {
                print!("{}", export::to_markdown(&run));
            }
        }
        HistoryCommand::Export {
            ids,
            format,
            output,
        } => {
            let format = match (format, &output) {
                (Some(f), _) => f.into(),
                (None, Some(path)) => export::ExportFormat::from_path(path)?,
                (None, None) => export::ExportFormat::Md,
            };
            let bytes = session.export(&store, &ids, format)?;
            match output {
                Some(path) => {
                    export::write_atomically(&path, &bytes)?;
                    eprintln!("wrote {} run(s) to {}", ids.len(), path.display());
                }
                None if format == export::ExportFormat::Docx => {
                    return Err(CliError::DocxNeedsOutput.into());
                }
                None => {
                    // A closed pipe (e.g. `| head`) is not worth an error.
                    let _ = std::io::stdout().write_all(&bytes);
                }
            }
        }
        HistoryCommand::Delete { ids } => {
            let n = store.delete(&ids)?;
            eprintln!("deleted {n} run(s)");
            if n < ids.len() {
                eprintln!("{} id(s) were not found", ids.len() - n);
            }
        }
        HistoryCommand::Purge { older_than } => {
            let cutoff = now_ms() - age_ms(&older_than)?;
            let n = store.purge_before(cutoff)?;
            eprintln!("deleted {n} run(s) older than {older_than}");
        }
        HistoryCommand::Rerun { id, json, engine } => {
            return crate::task::rerun(&session, &mut store, id, json, &engine);
        }
    }
    Ok(0)
}

pub fn run_glossary(cmd: GlossaryCommand, db: Option<&Path>) -> Result<u8, Failure> {
    let session = crate::session(db, None)?;
    let settings = session.settings();
    let mut store = session.open_store()?;
    match cmd {
        GlossaryCommand::Add {
            en,
            zh,
            domain,
            note,
            aliases_en,
            aliases_zh,
            mode,
            kind,
        } => {
            let mut entry = store::GlossaryEntry::new(&en, &zh);
            entry.domain = domain;
            entry.note = note;
            entry.aliases_en = aliases_en;
            entry.aliases_zh = aliases_zh;
            entry.mode = match mode {
                TermModeArg::Enforce => TermMode::Enforce,
                TermModeArg::Check => TermMode::Check,
            };
            entry.kind = match kind {
                TermKindArg::Body => TermKind::Body,
                TermKindArg::Title => TermKind::Title,
            };
            let id = store.glossary_put(&entry)?;
            eprintln!("glossary entry {id}: {en} = {zh}");
        }
        GlossaryCommand::List { json, base: true } => {
            let terms = wenshu_core::checks::terms::base();
            if json {
                crate::print_json(&json!({
                    "version": wenshu_core::checks::terms::base_version(),
                    "entries": terms,
                }))?;
            } else {
                for t in terms {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.en,
                        t.zh,
                        t.kind.as_str(),
                        t.aliases_en.join("|"),
                        t.aliases_zh.join("|"),
                        t.source
                    );
                }
                eprintln!(
                    "base glossary version {}: {} entries ({})",
                    wenshu_core::checks::terms::base_version(),
                    terms.len(),
                    if settings.glossary.base {
                        "in use"
                    } else {
                        "switched off by [glossary] base = false"
                    }
                );
            }
        }
        GlossaryCommand::List { json, base: false } => {
            let entries = store.glossary_list()?;
            if json {
                crate::print_json(&json!({ "entries": entries }))?;
            } else {
                for e in entries {
                    println!(
                        "{:>5}  {}\t{}\t{}\t{}\t{}\t{}",
                        e.id,
                        e.en,
                        e.zh,
                        e.domain,
                        e.note,
                        e.mode.as_str(),
                        [e.aliases_en.join("|"), e.aliases_zh.join("|")]
                            .join(" ")
                            .trim()
                    );
                }
            }
        }
        GlossaryCommand::Remove { key } => {
            let n = store.glossary_remove(&key)?;
            if n == 0 {
                return Err(CliError::GlossaryNotFound(key).into());
            }
            eprintln!("removed {n} entr{}", if n == 1 { "y" } else { "ies" });
        }
        GlossaryCommand::Import { file } => {
            let (n, skipped) = store.glossary_import(&file)?;
            eprintln!(
                "imported {n} entr{} from {} ({skipped} blank line(s) skipped)",
                if n == 1 { "y" } else { "ies" },
                file.display()
            );
        }
        GlossaryCommand::Export { file } => {
            let n = store.glossary_export(&file)?;
            eprintln!("exported {n} entries to {}", file.display());
        }
    }
    Ok(0)
}
