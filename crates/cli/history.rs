//! `wenshu history …` and `wenshu glossary …`: thin wrappers over the
//! store's API, printing tables or JSON.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde_json::json;
use wenshu_core::settings::Settings;
use wenshu_core::store::{self, export, now_ms, Store};

use wenshu_core::checks::terms::{TermKind, TermMode};

use crate::args::{GlossaryCommand, HistoryCommand, TermKindArg, TermModeArg};
use crate::Failure;

/// Opens the history database (creating it owner-only), applying the
/// retention setting first thing.
pub fn open_store(db: Option<&Path>, settings: &Settings) -> Result<Store, Failure> {
    let path = db.map(PathBuf::from).unwrap_or_else(store::default_path);
    let mut store = Store::open(&path).map_err(|e| Failure::runtime(e.code(), e))?;
    let days = settings.history.retention_days;
    let n = store
        .apply_retention(days)
        .map_err(|e| Failure::runtime(e.code(), e))?;
    if n > 0 {
        tracing::info!("retention: deleted {n} run(s) older than {days} days");
    }
    Ok(store)
}

pub fn load_settings() -> Result<Settings, Failure> {
    Settings::load(&wenshu_core::settings::default_path())
        .map_err(|e| Failure::usage("settings_invalid", e))
}

fn age_ms(spec: &str) -> Result<i64, Failure> {
    let spec = spec.trim();
    let bad = || {
        Failure::usage(
            "invalid_age",
            anyhow!("`{spec}` is not an age; write a number and a unit, e.g. 90d, 12w, 24h"),
        )
    };
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
            format!("{:?}", r.status).to_lowercase(),
            r.source_lang,
            r.target_lang,
            r.preview
        );
    }
    Ok(())
}

pub fn run_history(cmd: HistoryCommand, db: Option<&Path>) -> Result<u8, Failure> {
    let settings = load_settings()?;
    let mut store = open_store(db, &settings)?;
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
            let runs = ids
                .iter()
                .map(|&id| store.get(id))
                .collect::<Result<Vec<_>, _>>()?;
            let bytes = match format.as_str() {
                "md" => runs
                    .iter()
                    .map(export::to_markdown)
                    .collect::<Vec<_>>()
                    .join("\n---\n\n")
                    .into_bytes(),
                "json" => serde_json::to_vec_pretty(&runs)
                    .map_err(|e| Failure::runtime("json", anyhow!(e)))?,
                _ => {
                    let path = output.clone().ok_or_else(|| {
                        Failure::usage(
                            "output_missing",
                            anyhow!("a .docx export needs -o FILE.docx"),
                        )
                    })?;
                    export::write_docx(&runs, &path)?;
                    eprintln!("wrote {} run(s) to {}", runs.len(), path.display());
                    return Ok(0);
                }
            };
            match output {
                Some(path) => {
                    export::write_atomically(&path, &bytes)?;
                    eprintln!("wrote {} run(s) to {}", runs.len(), path.display());
                }
                None => {
                    use std::io::Write;
                    let _ = std::io::stdout().write_all(&bytes);
                    println!();
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
            return crate::rerun(&mut store, id, json, &engine, &settings);
        }
    }
    Ok(0)
}

pub fn run_glossary(cmd: GlossaryCommand, db: Option<&Path>) -> Result<u8, Failure> {
    let settings = load_settings()?;
    let mut store = open_store(db, &settings)?;
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
                return Err(Failure::usage(
                    "glossary_not_found",
                    anyhow!("no glossary entry matches `{key}`; `wenshu glossary list` shows them"),
                ));
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
