//! Prompts are data: TOML files under `prompts/`, one per task × document
//! type × direction, each with an id, a version and two styles.
//!
//! `completion` style is a few-shot pattern for base models (such as the demo
//! model, which has no chat template); `chat` style is system + user messages
//! rendered through the model's own chat template, for the instruct models
//! real users bring. Templates are rendered with minijinja. The id, version
//! and the sha256 of the file that was actually used travel with every result,
//! so a stored output can always be traced to the exact prompt text.
//!
//! Lookup order for a relative path such as `translate/general.en-to-zh-Hant.toml`
//! (first found wins): `$WENSHU_HOME/prompts`, the user's config directory
//! (`~/.config/wenshu/prompts` on Linux), extra directories given by the
//! caller (the dev tree), then the copy compiled into the binary.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::{ChatMessage, EngineError, Generator};

static BUNDLED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../prompts");

/// Which of a prompt's two forms is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    Completion,
    Chat,
}

impl Style {
    /// The name prompt files use for the style.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completion => "completion",
            Self::Chat => "chat",
        }
    }
}

/// Everything that can go wrong finding, parsing or rendering a prompt.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no prompt `{id}` in {searched}; add {file} to one of those directories")]
    NotFound {
        id: String,
        file: String,
        searched: String,
    },
    #[error("prompt file {origin} is not valid: {reason}")]
    Invalid { origin: String, reason: String },
    #[error("prompt `{id}` has no {} form; the selected model needs one", style.as_str())]
    MissingStyle { id: String, style: Style },
    #[error("prompt `{id}` ({origin}) failed to render: {reason}")]
    Render {
        id: String,
        origin: String,
        reason: String,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

wenshu_error::coded! {
    PromptError {
        Self::NotFound { .. } => "prompt_not_found", usage;
        Self::Invalid { .. } => "prompt_invalid", usage;
        Self::MissingStyle { .. } => "prompt_missing_style", usage;
        Self::Render { .. } => "prompt_render", usage;
    }
    delegate {
        Self::Engine(e) => e,
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromptFile {
    id: String,
    version: u32,
    task: String,
    doc_type: String,
    direction: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    stop: Vec<String>,
    max_tokens: u32,
    completion: Option<CompletionForm>,
    chat: Option<ChatForm>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompletionForm {
    template: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatForm {
    system: String,
    user: String,
    /// Worked turns shown before the real request (user, then the answer
    /// expected), for small instruct models that follow an example better
    /// than a rule. They come after the system message and before the
    /// request, so a model's prefix cache keeps them across calls.
    #[serde(default)]
    examples: Vec<ChatExample>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatExample {
    user: String,
    assistant: String,
}

/// Identity of a prompt as recorded with every result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptRef {
    pub id: String,
    pub version: u32,
    /// sha256 of the prompt file's bytes.
    pub hash: String,
    /// Where it came from: a file path, or `bundled:…`.
    pub origin: String,
    pub style: Style,
}

/// A loaded, validated prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    file: PromptFile,
    hash: String,
    origin: String,
}

/// A prompt rendered for one request.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub text: String,
    pub stop: Vec<String>,
    pub max_tokens: u32,
    pub prompt: PromptRef,
}

impl Prompt {
    /// Parses a prompt file; `rel` is its path relative to a prompts root.
    ///
    /// # Errors
    /// [`PromptError::Invalid`] when the TOML is wrong or the id does not
    /// match the file's place.
    pub fn parse(bytes: &[u8], rel: &str, origin: String) -> Result<Self, PromptError> {
        let invalid = |reason: String| PromptError::Invalid {
            origin: origin.clone(),
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
        let file: PromptFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let expected_id = rel.trim_end_matches(".toml").replace('/', ".");
        if file.id != expected_id {
            return Err(invalid(format!(
                "id is `{}` but its path says `{expected_id}`",
                file.id
            )));
        }
        let from_fields = format!("{}.{}.{}", file.task, file.doc_type, file.direction);
        if from_fields != file.id {
            return Err(invalid(format!(
                "task/doc_type/direction give `{from_fields}` but id is `{}`",
                file.id
            )));
        }
        if file.version == 0 {
            return Err(invalid("version must be 1 or more".into()));
        }
        if file.completion.is_none() && file.chat.is_none() {
            return Err(invalid("needs a [completion] or a [chat] table".into()));
        }
        if file.max_tokens == 0 {
            return Err(invalid("max_tokens must be at least 1".into()));
        }
        Ok(Self {
            file,
            hash: hex::encode(Sha256::digest(bytes)),
            origin,
        })
    }

    pub fn id(&self) -> &str {
        &self.file.id
    }

    pub fn version(&self) -> u32 {
        self.file.version
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn max_tokens(&self) -> u32 {
        self.file.max_tokens
    }

    /// The one-line description from the file.
    pub fn description(&self) -> &str {
        &self.file.description
    }

    /// Which style to use with a generator: chat when the model has a chat
    /// template and the prompt has a chat form, otherwise completion.
    pub fn style_for(&self, generator: &dyn Generator) -> Style {
        if generator.info().has_chat_template && self.file.chat.is_some() {
            Style::Chat
        } else {
            Style::Completion
        }
    }

    /// Renders the prompt for `generator` with template variables `vars`.
    ///
    /// # Errors
    /// When the needed form is missing, a template fails (unknown variable,
    /// syntax), or the model's chat template cannot be applied.
    pub fn render(
        &self,
        generator: &dyn Generator,
        vars: &impl Serialize,
    ) -> Result<Rendered, PromptError> {
        let style = self.style_for(generator);
        let text = match style {
            Style::Completion => self.render_completion(vars)?,
            Style::Chat => {
                let form = self.file.chat.as_ref().ok_or(PromptError::MissingStyle {
                    id: self.file.id.clone(),
                    style,
                })?;
                let message = |role: &str, template: &str| -> Result<ChatMessage, PromptError> {
                    Ok(ChatMessage {
                        role: role.into(),
                        content: self.render_str(template, vars)?,
                    })
                };
                let mut messages = vec![message("system", &form.system)?];
                for example in &form.examples {
                    messages.push(message("user", &example.user)?);
                    messages.push(message("assistant", &example.assistant)?);
                }
                messages.push(message("user", &form.user)?);
                generator.apply_chat_template(&messages)?
            }
        };
        // Chat answers end at the model's end-of-turn token; the completion
        // stop sequences are part of the few-shot pattern only.
        let stop = match style {
            Style::Completion => self.file.stop.clone(),
            Style::Chat => Vec::new(),
        };
        Ok(Rendered {
            text,
            stop,
            max_tokens: self.file.max_tokens,
            prompt: PromptRef {
                id: self.file.id.clone(),
                version: self.file.version,
                hash: self.hash.clone(),
                origin: self.origin.clone(),
                style,
            },
        })
    }

    /// Renders only the completion form (used to check templates without a model).
    ///
    /// # Errors
    /// As [`render`](Self::render).
    pub fn render_completion(&self, vars: &impl Serialize) -> Result<String, PromptError> {
        let form = self
            .file
            .completion
            .as_ref()
            .ok_or(PromptError::MissingStyle {
                id: self.file.id.clone(),
                style: Style::Completion,
            })?;
        self.render_str(&form.template, vars)
    }

    fn render_str(&self, template: &str, vars: &impl Serialize) -> Result<String, PromptError> {
        let mut env = Environment::new();
        // The few-shot pattern often ends in a newline the model must continue
        // after; Jinja would drop it by default.
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.render_str(template, vars)
            .map_err(|e| PromptError::Render {
                id: self.file.id.clone(),
                origin: self.origin.clone(),
                reason: format!("{e:#}"),
            })
    }
}

/// Finds prompt files in the configured directories and the bundled copy.
#[derive(Debug, Clone)]
pub struct PromptLibrary {
    dirs: Vec<PathBuf>,
    use_bundled: bool,
}

impl PromptLibrary {
    /// The standard search path: `$WENSHU_HOME/prompts`, the user's config
    /// directory, then `extra` (e.g. the dev tree), then the bundled copy.
    pub fn standard(extra: &[PathBuf]) -> Self {
        let mut dirs = Vec::new();
        if let Some(home) = std::env::var_os("WENSHU_HOME") {
            dirs.push(PathBuf::from(home).join("prompts"));
        }
        if let Some(config) = dirs::config_dir() {
            dirs.push(config.join("wenshu").join("prompts"));
        }
        dirs.extend(extra.iter().cloned());
        Self {
            dirs,
            use_bundled: true,
        }
    }

    /// Only the given directories, in order (tests).
    pub fn from_dirs(dirs: Vec<PathBuf>, use_bundled: bool) -> Self {
        Self { dirs, use_bundled }
    }

    /// Loads `{task}/{doc_type}.{direction}.toml`.
    ///
    /// # Errors
    /// [`PromptError::NotFound`] when no source has it; [`PromptError::Invalid`]
    /// when the first file found is broken (a broken override is an error, not
    /// silently skipped).
    pub fn get(&self, task: &str, doc_type: &str, direction: &str) -> Result<Prompt, PromptError> {
        let rel = format!("{task}/{doc_type}.{direction}.toml");
        for dir in &self.dirs {
            let path = dir.join(&rel);
            match std::fs::read(&path) {
                Ok(bytes) => return Prompt::parse(&bytes, &rel, path.display().to_string()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(PromptError::Invalid {
                        origin: path.display().to_string(),
                        reason: format!("cannot read: {e}"),
                    })
                }
            }
        }
        if self.use_bundled {
            if let Some(file) = BUNDLED.get_file(&rel) {
                return Prompt::parse(file.contents(), &rel, format!("bundled:{rel}"));
            }
        }
        let mut searched: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        if self.use_bundled {
            searched.push("the bundled prompts".into());
        }
        Err(PromptError::NotFound {
            id: format!("{task}.{doc_type}.{direction}"),
            file: rel,
            searched: searched.join(", "),
        })
    }

    /// Every bundled prompt file's relative path (for checks and listings).
    pub fn bundled_files() -> Vec<String> {
        fn walk(dir: &Dir<'_>, out: &mut Vec<String>) {
            for file in dir.files() {
                if file.path().extension().is_some_and(|e| e == "toml") {
                    out.push(file.path().to_string_lossy().replace('\\', "/"));
                }
            }
            for sub in dir.dirs() {
                walk(sub, out);
            }
        }
        let mut out = Vec::new();
        walk(&BUNDLED, &mut out);
        out.sort();
        out
    }

    /// The bundled copy of a prompt file.
    ///
    /// # Errors
    /// When it does not exist or is invalid.
    pub fn bundled(rel: &str) -> Result<Prompt, PromptError> {
        let file = BUNDLED.get_file(rel).ok_or_else(|| PromptError::NotFound {
            id: rel.trim_end_matches(".toml").replace('/', "."),
            file: rel.to_string(),
            searched: "the bundled prompts".into(),
        })?;
        Prompt::parse(file.contents(), rel, format!("bundled:{rel}"))
    }
}

/// The dev-tree prompts directory when running from a checkout.
pub fn dev_tree_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts");
    dir.is_dir().then(|| dir.canonicalize().unwrap_or(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeGenerator;

    const MINIMAL: &str = r#"
id = "polish.general.en"
version = 3
task = "polish"
doc_type = "general"
direction = "en"
stop = ["\n"]
max_tokens = 64

[completion]
template = """Rough: {{ text }}
Polished:"""
"#;

    #[test]
    fn a_prompt_renders_its_completion_form_and_reports_id_version_and_hash() {
        let prompt =
            Prompt::parse(MINIMAL.as_bytes(), "polish/general.en.toml", "test".into()).unwrap();
        let fake = FakeGenerator::new(1000, |_| String::new());
        let rendered = prompt
            .render(&fake, &serde_json::json!({ "text": "we will do it asap" }))
            .unwrap();
        assert_eq!(rendered.text, "Rough: we will do it asap\nPolished:");
        assert_eq!(rendered.stop, vec!["\n".to_string()]);
        assert_eq!(rendered.prompt.id, "polish.general.en");
        assert_eq!(rendered.prompt.version, 3);
        assert_eq!(
            rendered.prompt.hash,
            hex::encode(Sha256::digest(MINIMAL.as_bytes()))
        );
        assert_eq!(rendered.prompt.style, Style::Completion);
    }

    #[test]
    fn a_model_with_a_chat_template_gets_the_chat_form_through_that_template() {
        let prompt = PromptLibrary::from_dirs(vec![], true)
            .get("translate", "general", "en-to-zh-Hant")
            .unwrap();
        let fake = FakeGenerator::new(1000, |_| String::new()).with_chat_template();
        let vars = serde_json::json!({ "text": "The pool reopens on 1 March.", "glossary": [], "tags": false });
        let rendered = prompt.render(&fake, &vars).unwrap();
        assert_eq!(rendered.prompt.style, Style::Chat);
        assert!(rendered.text.starts_with("<system>"), "{}", rendered.text);
        assert!(
            rendered.text.contains("<user>")
                && rendered.text.contains("The pool reopens on 1 March.")
        );
        assert!(rendered.text.ends_with("<assistant>"));
        // Chat answers end at the model's end-of-turn token, not at "\n".
        assert!(rendered.stop.is_empty());
        let base = FakeGenerator::new(1000, |_| String::new());
        assert_eq!(
            prompt.render(&base, &vars).unwrap().prompt.style,
            Style::Completion
        );
    }

    #[test]
    fn worked_chat_turns_come_between_the_system_message_and_the_request() {
        let file = format!(
            "{MINIMAL}{}",
            r#"
[chat]
system = "Rewrite in plain {{ tone }} English."
user = "Rewrite: {{ text }}"

[[chat.examples]]
user = "Rewrite: pls call us asap"
assistant = "Please call us as soon as possible."

[[chat.examples]]
user = "Rewrite: {{ tone }} example"
assistant = "Second answer."
"#
        );
        let prompt =
            Prompt::parse(file.as_bytes(), "polish/general.en.toml", "test".into()).unwrap();
        let fake = FakeGenerator::new(1000, |_| String::new()).with_chat_template();
        let vars = serde_json::json!({ "text": "we will do it asap", "tone": "formal" });
        let rendered = prompt.render(&fake, &vars).unwrap();
        assert_eq!(
            rendered.text,
            "<system>Rewrite in plain formal English.</system>\n\
             <user>Rewrite: pls call us asap</user>\n\
             <assistant>Please call us as soon as possible.</assistant>\n\
             <user>Rewrite: formal example</user>\n\
             <assistant>Second answer.</assistant>\n\
             <user>Rewrite: we will do it asap</user>\n<assistant>"
        );
        // An example needs both sides.
        let half = file.replace("assistant = \"Second answer.\"\n", "");
        let err =
            Prompt::parse(half.as_bytes(), "polish/general.en.toml", "test".into()).unwrap_err();
        assert!(err.to_string().contains("assistant"), "{err}");
    }

    #[test]
    fn a_prompt_whose_id_disagrees_with_its_path_is_rejected() {
        let err = Prompt::parse(
            MINIMAL.as_bytes(),
            "polish/general.zh-Hant.toml",
            "x".into(),
        )
        .unwrap_err();
        assert!(matches!(err, PromptError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("polish.general.zh-Hant"));
    }

    #[test]
    fn an_unknown_template_variable_is_an_error_not_an_empty_string() {
        let text = MINIMAL.replace("{{ text }}", "{{ txet }}");
        let prompt = Prompt::parse(text.as_bytes(), "polish/general.en.toml", "t".into()).unwrap();
        let err = prompt
            .render_completion(&serde_json::json!({ "text": "x" }))
            .unwrap_err();
        assert!(matches!(err, PromptError::Render { .. }), "{err}");
    }

    #[test]
    fn a_user_override_wins_over_the_bundled_prompt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("polish")).unwrap();
        std::fs::write(dir.path().join("polish/general.en.toml"), MINIMAL).unwrap();
        let library = PromptLibrary::from_dirs(vec![dir.path().to_path_buf()], true);
        let prompt = library.get("polish", "general", "en").unwrap();
        assert_eq!(prompt.version(), 3);
        assert!(prompt
            .origin()
            .starts_with(&dir.path().display().to_string()));
        let bundled = PromptLibrary::from_dirs(vec![], true)
            .get("polish", "general", "en")
            .unwrap();
        assert!(bundled.origin().starts_with("bundled:"));
        assert_ne!(bundled.hash(), prompt.hash());
    }

    #[test]
    fn a_missing_prompt_names_the_file_and_where_it_looked() {
        let library = PromptLibrary::from_dirs(vec![PathBuf::from("/nowhere")], false);
        let err = library.get("draft", "haiku", "en").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("draft/haiku.en.toml") && msg.contains("/nowhere"),
            "{msg}"
        );
    }

    #[test]
    fn every_bundled_prompt_parses_and_renders_with_sample_variables() {
        let files = PromptLibrary::bundled_files();
        assert!(
            files.len() >= 24,
            "expected the full prompt set, found {files:?}"
        );
        let vars = crate::tasks::sample_template_vars();
        for rel in files {
            let prompt = PromptLibrary::bundled(&rel).unwrap();
            let text = prompt.render_completion(&vars).unwrap();
            assert!(!text.trim().is_empty(), "{rel} renders empty");
        }
    }
}
