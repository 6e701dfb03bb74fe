//! Rebuild when a bundled prompt file changes: the prompts are compiled into
//! the binary with `include_dir!`, which cargo cannot see through on its own.
fn main() {
    println!("cargo:rerun-if-changed=../../prompts");
    println!("cargo:rerun-if-changed=../../models/catalog.toml");
}
