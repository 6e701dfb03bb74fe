//! `wenshu-desktop`: the app, or one of its child modes.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use wenshu_desktop::modes;

#[derive(Parser)]
#[command(name = "wenshu-desktop", version, about = "Wenshu 文書 desktop app")]
struct Cli {
    /// Summarise the selected text (or the clipboard) in a popup. Bind this
    /// in the desktop environment where the app's own shortcut cannot be
    /// registered (Wayland); a running app does it, else one starts.
    #[arg(long)]
    summarise_selection: bool,
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(Subcommand)]
enum Mode {
    /// Serve model requests to the app over stdio (started by the app).
    #[command(hide = true)]
    Worker(modes::EngineArgs),
    /// Run one folder job, reporting over stdio (started by the app).
    #[command(hide = true)]
    BatchWorker {
        #[command(flatten)]
        engine: modes::EngineArgs,
        #[arg(long)]
        db: PathBuf,
    },
}

fn main() {
    wenshu_desktop::probe::process_started();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WENSHU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let code = match cli.mode {
        Some(Mode::Worker(args)) => modes::worker(&args),
        Some(Mode::BatchWorker { engine, db }) => modes::batch_worker(&engine, &db),
        None => match wenshu_desktop::run(cli.summarise_selection) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("wenshu-desktop: {e:#}");
                1
            }
        },
    };
    std::process::exit(code);
}
