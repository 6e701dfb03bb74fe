//! `wenshu models list|info|verify`: the catalog, a GGUF file's metadata,
//! and its checksum.

use std::io::IsTerminal;

use serde_json::json;
use wenshu_core::models;

use crate::args::ModelsCommand;
use crate::{print_json, CliError, Failure};

pub fn run_models(cmd: ModelsCommand) -> Result<u8, Failure> {
    let session = crate::session(None, None)?;
    match cmd {
        ModelsCommand::List { json } => {
            let catalog = session.catalog()?;
            let dirs = session.model_dirs();
            let rows: Vec<_> = catalog
                .models
                .iter()
                .map(|m| {
                    let present = dirs.iter().map(|d| d.join(&m.file)).find(|p| p.is_file());
                    (m, present)
                })
                .collect();
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(m, p)| {
                        let mut v =
                            serde_json::to_value(m).map_err(|e| CliError::Json(e.to_string()))?;
                        v["present"] = json!(p.as_ref().map(|p| p.display().to_string()));
                        Ok(v)
                    })
                    .collect::<Result<_, Failure>>()?;
                print_json(&json!({ "models": list }))?;
            } else {
                for (m, present) in rows {
                    println!("{}", m.name);
                    println!("  file:      {}", m.file);
                    println!("  sha256:    {}", display_opt(&m.sha256));
                    println!(
                        "  size:      {}",
                        m.size
                            .map_or("unverified".to_string(), |s| format!("{s} bytes"))
                    );
                    println!("  licence:   {}", m.licence);
                    println!("  style:     {}", m.style);
                    println!("  context:   {}", m.context);
                    println!("  hardware:  {}", m.hardware);
                    if let Some(who) = &m.recommended_for {
                        println!("  recommended for {who}");
                    }
                    println!(
                        "  on disk:   {}",
                        present.map_or("no".to_string(), |p| p.display().to_string())
                    );
                    println!("  {}", m.description);
                    println!();
                }
            }
            Ok(0)
        }
        ModelsCommand::Info { path, json } => {
            let path = session.resolve_model(path.as_deref())?.path;
            let summary = models::validate(&path)?;
            if json {
                print_json(&summary)?;
            } else {
                println!("file:          {}", summary.path.display());
                println!(
                    "size:          {} bytes (header implies {})",
                    summary.file_size, summary.expected_size
                );
                println!("GGUF version:  {}", summary.version);
                println!(
                    "architecture:  {}",
                    summary.architecture.as_deref().unwrap_or("?")
                );
                println!("name:          {}", summary.name.as_deref().unwrap_or("?"));
                println!(
                    "context:       {}",
                    summary.context_length.map_or("?".into(), |c| c.to_string())
                );
                println!(
                    "layers:        {}",
                    summary.block_count.map_or("?".into(), |c| c.to_string())
                );
                println!(
                    "parameters:    {}",
                    summary
                        .parameter_count
                        .map_or("?".into(), |c| c.to_string())
                );
                println!("tensors:       {}", summary.n_tensors);
                println!(
                    "chat template: {}",
                    if summary.chat_template.is_some() {
                        "yes (chat-style prompts)"
                    } else {
                        "no (completion-style prompts)"
                    }
                );
                println!("metadata ({} keys):", summary.n_kv);
                for (k, v) in &summary.metadata {
                    println!("  {k} = {v}");
                }
            }
            Ok(0)
        }
        ModelsCommand::Verify { path, sha256, json } => {
            let path = session.resolve_model(path.as_deref())?.path;
            let catalog = session.catalog()?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let expected = match sha256 {
                Some(s) => s.to_lowercase(),
                None => catalog
                    .find_by_file_name(&file_name)
                    .and_then(|e| e.sha256.clone())
                    .ok_or_else(|| CliError::NotCatalogued(file_name.clone()))?,
            };
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let mut last = 0u64;
            let show = !json && std::io::stderr().is_terminal();
            let outcome = models::verify_sha256(&path, &expected, &mut |done| {
                if show && (done - last > 64 << 20 || done == size) {
                    last = done;
                    eprint!("\rchecking {}: {:>3}%", file_name, done * 100 / size.max(1));
                }
            });
            if show {
                eprintln!();
            }
            match outcome {
                Ok(actual) => {
                    if json {
                        println!("{}", json!({ "path": path, "sha256": actual, "ok": true }));
                    } else {
                        println!("ok: {} sha256 {actual}", path.display());
                    }
                    Ok(0)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn display_opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "unverified".to_string())
}
