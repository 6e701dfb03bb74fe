//! Writes the seed corpus of every fuzz target into `OUT/<target>/`.
//!
//! Seeds are generated, not committed: the generated sample .docx and PDF of
//! wenshu-documents, the files under samples/, a few small Markdown, text and
//! GGUF files built here, and (when another job has fetched it) every .docx
//! of the real-world corpus in `$WENSHU_CORPUS_DOCX` or
//! `~/.cache/wenshu-corpus/docx`. Files longer than the target's `-max_len`
//! (given as `MAX_DOCX_BYTES`) are skipped: libFuzzer would cut them, and a
//! .docx without its zip directory at the end only exercises the error path.
//!
//! Usage: `seed OUT [MAX_DOCX_BYTES]`

use std::fs;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: seed OUT [MAX_DOCX_BYTES]")?);
    let max_docx: u64 = match args.next() {
        Some(n) => n
            .to_str()
            .ok_or("MAX_DOCX_BYTES is not a number")?
            .parse()?,
        None => u64::MAX,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seeds = Seeds::new(&out)?;

    seeds.add("docx", "sample-1.docx", &wenshu_documents::sample::docx(1))?;
    seeds.add("docx", "sample-3.docx", &wenshu_documents::sample::docx(3))?;
    seeds.add(
        "pdf",
        "sample.pdf",
        &wenshu_documents::sample::pdf(&["The Budget provides HK$1,250 million", "for 2026."]),
    )?;
    seeds.add(
        "pdf",
        "two-lines.pdf",
        &wenshu_documents::sample::pdf_with(
            "BT /F1 12 Tf 72 760 Td (First line) Tj 0 -14 Td (second line) Tj ET",
            None,
        ),
    )?;

    for entry in fs::read_dir(root.join("samples"))? {
        let path = entry?.path();
        if path.is_file() {
            let bytes = fs::read(&path)?;
            let name = file_name(&path);
            // Prose in both languages is what both text readers see.
            seeds.add("text", &name, &bytes)?;
            seeds.add("markdown", &name, &bytes)?;
        }
    }
    seeds.add("markdown", "mixed.md", MARKDOWN.as_bytes())?;
    seeds.add(
        "text",
        "crlf.txt",
        b"First line\r\nsecond line\r\n\r\nNext\r\n",
    )?;
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "預算案 Budget\n\n第二段"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    seeds.add("text", "utf16le-bom.txt", &utf16)?;
    seeds.add("gguf", "tiny.gguf", &tiny_gguf())?;
    seeds.add("gguf", "vocab-only.gguf", &vocab_only_gguf())?;

    let corpus = std::env::var_os("WENSHU_CORPUS_DOCX")
        .map(PathBuf::from)
        .or_else(|| dirs_home().map(|h| h.join(".cache/wenshu-corpus/docx")));
    let (mut taken, mut too_long) = (0, 0);
    if let Some(corpus) = corpus.filter(|c| c.is_dir()) {
        let mut stack = vec![corpus];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("docx"))
                {
                    if fs::metadata(&path)?.len() > max_docx {
                        too_long += 1;
                        continue;
                    }
                    // Names in a crawled corpus may repeat across folders.
                    let name = format!("corpus-{taken}-{}", file_name(&path));
                    seeds.add("docx", &name, &fs::read(&path)?)?;
                    taken += 1;
                }
            }
        }
    }
    eprintln!(
        "seed: {} seeds in {} ({taken} from the .docx corpus, {too_long} longer than {max_docx} bytes skipped)",
        seeds.count,
        out.display()
    );
    Ok(())
}

struct Seeds<'a> {
    out: &'a Path,
    count: usize,
}

impl<'a> Seeds<'a> {
    fn new(out: &'a Path) -> std::io::Result<Self> {
        for target in ["docx", "markdown", "text", "pdf", "gguf"] {
            let dir = out.join(target);
            // Stale seeds (a corpus file since removed) must not linger.
            if dir.exists() {
                fs::remove_dir_all(&dir)?;
            }
            fs::create_dir_all(&dir)?;
        }
        Ok(Seeds { out, count: 0 })
    }

    fn add(&mut self, target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.count += 1;
        fs::write(self.out.join(target).join(name), bytes)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn dirs_home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// One of each construct the Markdown reader treats differently.
const MARKDOWN: &str = "---\ntitle: Budget note\n---\n\n\
# Budget 2026\n\n\
The Government will spend HK$1,250 million\non housing, a rise of 3.5%.\n\n\
- First item with `inline code` and *emphasis*\n\
- See [the press release](https://www.info.gov.hk/ \"Press\") or <https://www.budget.gov.hk>\n\n\
1. numbered\n2. list[^1]\n\n[^1]: A footnote.\n\n\
```rust\nlet fee = 1250;\n```\n\n\
<div class=\"note\">raw html</div>\n\n\
| Bureau | Amount |\n| --- | --- |\n| Housing | HK$300 million |\n\n\
> A quoted remark\n> over two lines.\n\nSetext\n===\n\n- [x] done ~~struck~~\n";

/// GGUF writing helpers: little-endian fields, length-prefixed strings.
#[derive(Default)]
struct Gguf(Vec<u8>);

impl Gguf {
    fn header(version: u32, tensors: u64, kvs: u64) -> Self {
        let mut g = Gguf::default();
        g.raw(b"GGUF").u32(version).u64(tensors).u64(kvs);
        g
    }
    fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.extend_from_slice(bytes);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64).raw(s.as_bytes())
    }
    fn pad_to(&mut self, alignment: usize) -> &mut Self {
        while !self.0.len().is_multiple_of(alignment) {
            self.0.push(0);
        }
        self
    }
}

// GGUF value types and ggml tensor types used below.
const T_U32: u32 = 4;
const T_F32: u32 = 6;
const T_STRING: u32 = 8;
const T_ARRAY: u32 = 9;
const GGML_F32: u32 = 0;
const GGML_Q4_0: u32 = 2;

/// A version 3 file with string, integer and array metadata and two tensors
/// (f32 and a quantised type) in their aligned places.
fn tiny_gguf() -> Vec<u8> {
    let mut g = Gguf::header(3, 2, 5);
    g.str("general.architecture").u32(T_STRING).str("llama");
    g.str("general.name").u32(T_STRING).str("tiny");
    g.str("llama.context_length").u32(T_U32).u32(2048);
    g.str("general.alignment").u32(T_U32).u32(32);
    g.str("tokenizer.ggml.scores")
        .u32(T_ARRAY)
        .u32(T_F32)
        .u64(2)
        .raw(&[0; 8]);
    // 4 f32 = 16 bytes, padded to 32; then one Q4_0 block of 32 = 18 bytes.
    g.str("a").u32(1).u64(4).u32(GGML_F32).u64(0);
    g.str("b").u32(2).u64(32).u64(1).u32(GGML_Q4_0).u64(32);
    g.pad_to(32).raw(&[0; 32 + 18]);
    g.0
}

/// A version 2 file with a string array and no tensors.
fn vocab_only_gguf() -> Vec<u8> {
    let mut g = Gguf::header(2, 0, 2);
    g.str("general.name").u32(T_STRING).str("vocab only");
    g.str("tokenizer.ggml.tokens")
        .u32(T_ARRAY)
        .u32(T_STRING)
        .u64(3)
        .str("a")
        .str("bc")
        .str("");
    g.0
}
