//! Planning: turning a [`Request`] into a [`Plan`], with the languages, the
//! prompts and the paragraphs fixed before any token is generated.

use super::Runner;
use crate::prompts::Prompt;
use crate::tasks::{Request, TaskError, TaskKind, MAX_POINTS};
use crate::text::{self, Lang};

/// A validated request: languages fixed, prompts loaded, input segmented.
#[derive(Debug, Clone)]
pub struct Plan {
    pub request: Request,
    pub source_lang: Lang,
    pub target_lang: Lang,
    pub paragraphs: Vec<String>,
    pub(super) prompt: Prompt,
    /// The merge prompt of a map-reduce summary.
    pub(super) reduce: Option<Prompt>,
}

impl Plan {
    /// Identity of the main prompt.
    pub fn prompt_id(&self) -> &str {
        self.prompt.id()
    }

    /// Id, version and content hash of the main prompt: part of every cache
    /// key, so editing a prompt invalidates what it produced.
    pub fn prompt_identity(&self) -> String {
        format!(
            "{}@{}#{}",
            self.prompt.id(),
            self.prompt.version(),
            self.prompt.hash()
        )
    }
}

impl Runner<'_> {
    /// Checks a request and fixes every decision before generation.
    ///
    /// # Errors
    /// Empty input, an impossible language direction, a draft without a
    /// document type, or a prompt that is missing or broken.
    pub fn plan(&self, request: Request) -> Result<Plan, TaskError> {
        if request.input.trim().is_empty() {
            return Err(TaskError::EmptyInput);
        }
        if request.task == TaskKind::Summarise && !(1..=MAX_POINTS).contains(&request.max_points) {
            return Err(TaskError::PointsOutOfRange(request.max_points));
        }
        let detected = text::detect(&request.input);
        // Simplified or mixed input is treated as Chinese for direction
        // purposes; output marked Chinese is always Hong Kong Traditional.
        let source_lang = detected;
        let source_is_zh = matches!(detected, Lang::ZhHant | Lang::ZhHans | Lang::Mixed);
        let normalise = |l: Lang| if l.is_chinese() { Lang::ZhHant } else { l };
        let target_lang = match (request.task, request.target.map(normalise)) {
            (_, Some(Lang::Mixed)) => {
                return Err(TaskError::Direction {
                    task: request.task,
                    from: detected,
                    to: Lang::Mixed,
                    suggest: if source_is_zh { Lang::En } else { Lang::ZhHant },
                })
            }
            (TaskKind::Translate, Some(to)) => {
                let same = (to == Lang::En && detected == Lang::En)
                    || (to == Lang::ZhHant && matches!(detected, Lang::ZhHant));
                if same {
                    return Err(TaskError::Direction {
                        task: request.task,
                        from: detected,
                        to,
                        suggest: if to == Lang::En {
                            Lang::ZhHant
                        } else {
                            Lang::En
                        },
                    });
                }
                to
            }
            (TaskKind::Translate, None) => {
                if source_is_zh {
                    Lang::En
                } else {
                    Lang::ZhHant
                }
            }
            (TaskKind::Polish, Some(to)) => {
                let from = if source_is_zh { Lang::ZhHant } else { Lang::En };
                if to != from {
                    return Err(TaskError::Direction {
                        task: request.task,
                        from: detected,
                        to,
                        suggest: from,
                    });
                }
                to
            }
            (_, Some(to)) => to,
            (_, None) => {
                if source_is_zh {
                    Lang::ZhHant
                } else {
                    Lang::En
                }
            }
        };
        let direction = match request.task {
            TaskKind::Translate => {
                if target_lang == Lang::En {
                    "zh-Hant-to-en".to_string()
                } else {
                    "en-to-zh-Hant".to_string()
                }
            }
            _ => target_lang.code().to_string(),
        };
        let (doc_type, reduce) = match request.task {
            TaskKind::Draft => (
                request.doc_type.ok_or(TaskError::MissingDocType)?.as_str(),
                None,
            ),
            TaskKind::Summarise => (
                "general",
                Some(self.prompts.get("summarise", "reduce", &direction)?),
            ),
            _ => ("general", None),
        };
        let prompt = self
            .prompts
            .get(request.task.as_str(), doc_type, &direction)?;
        let paragraphs = text::paragraphs(&request.input);
        Ok(Plan {
            source_lang,
            target_lang,
            paragraphs,
            prompt,
            reduce,
            request,
        })
    }
}
