//! Declares the app's commands to Tauri's ACL: with a manifest, a command
//! is callable only from windows whose capability grants its `allow-…`
//! permission (see capabilities/).
fn main() {
    const COMMANDS: &[&str] = include!("src/commands.in");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
