//! Text handling that needs no model: language detection, paragraphs and
//! sentences, packing text into token budgets, and Hong Kong Traditional
//! Chinese (script conversion and punctuation).

pub mod lang;
pub mod segment;
pub mod zh;

pub use lang::{detect, Lang};
pub use segment::{chunk_by_budget, paragraphs, sentences, Chunk};
