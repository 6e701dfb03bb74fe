//! Summarising: one call when the numbered paragraphs fit the budget,
//! otherwise map-reduce (key points per chunk, then a merge), with the key
//! points streamed line by line as they are checked.

use super::call::{Ctx, Para, Vars};
use super::{Plan, Runner};
use crate::engine::StopReason;
use crate::prompts::Prompt;
use crate::tasks::post::{format_point, key_point, LineBuffer};
use crate::tasks::{KeyPoint, Progress, Status, TaskError};
use crate::text;

impl Runner<'_> {
    pub(super) fn summarise(
        &self,
        plan: &Plan,
        ctx: &mut Ctx<'_>,
    ) -> Result<(Status, Vec<KeyPoint>), TaskError> {
        let prompt = &plan.prompt;
        let answer = self.max_tokens(plan, prompt) as usize;
        let budget = self.input_budget(plan, prompt, answer)?;
        let items = self.numbered_items(&plan.paragraphs, budget)?;
        let groups = pack(&items, budget);
        let chinese = plan.target_lang.is_chinese();
        let max_points = plan.request.max_points.max(1) as usize;
        if groups.len() <= 1 {
            let paras: Vec<Para<'_>> = items.iter().map(|(p, _)| p.clone()).collect();
            let mut vars = Vars::new(plan);
            vars.paragraphs = paras;
            let (points, reason) =
                self.stream_points(plan, ctx, prompt, &vars, answer as u32, max_points, chinese)?;
            return Ok((self.status(ctx, reason), points));
        }
        // Map: key points per chunk, not shown to the user, citations kept.
        let mut gathered: Vec<KeyPoint> = Vec::new();
        for (index, group) in groups.iter().enumerate() {
            ctx.sink.progress(&Progress {
                stage: "summarise-part",
                index: index + 1,
                of: groups.len(),
            });
            let mut vars = Vars::new(plan);
            vars.paragraphs = group.iter().map(|&i| items[i].0.clone()).collect();
            let mut lines = LineBuffer::default();
            let mut raw = Vec::new();
            let completion = self.call(
                ctx,
                prompt,
                &vars,
                answer as u32,
                &plan.request,
                &mut |_, piece| {
                    raw.extend(lines.push(piece));
                    raw.len() < max_points
                },
            )?;
            raw.extend(lines.finish());
            gathered.extend(raw.iter().filter_map(|l| key_point(l, &plan.paragraphs)));
            if completion.stop_reason == StopReason::Cancelled && ctx.cancel.is_cancelled() {
                return Ok((Status::Cancelled, Vec::new()));
            }
        }
        // Reduce: merge the gathered points into the final list, streamed.
        let reduce = plan.reduce.as_ref().unwrap_or(prompt);
        ctx.sink.progress(&Progress {
            stage: "summarise-merge",
            index: 1,
            of: 1,
        });
        let mut vars = Vars::new(plan);
        vars.points = gathered
            .iter()
            .map(format_point)
            .map(|l| l.trim_start_matches("- ").to_string())
            .collect();
        let (points, reason) = self.stream_points(
            plan,
            ctx,
            reduce,
            &vars,
            self.max_tokens(plan, reduce),
            max_points,
            chinese,
        )?;
        Ok((self.status(ctx, reason), points))
    }

    /// Streams key points line by line, each checked and converted before it
    /// is shown.
    #[allow(clippy::too_many_arguments)]
    fn stream_points(
        &self,
        plan: &Plan,
        ctx: &mut Ctx<'_>,
        prompt: &Prompt,
        vars: &Vars<'_>,
        max_tokens: u32,
        max_points: usize,
        chinese: bool,
    ) -> Result<(Vec<KeyPoint>, StopReason), TaskError> {
        let mut lines = LineBuffer::default();
        let mut points: Vec<KeyPoint> = Vec::new();
        let paragraphs = &plan.paragraphs;
        let show = |ctx: &mut Ctx<'_>, points: &mut Vec<KeyPoint>, line: &str| {
            if points.len() >= max_points {
                return;
            }
            if let Some(mut point) = key_point(line, paragraphs) {
                if chinese {
                    point.text = text::zh::to_hk_traditional(&point.text);
                }
                if points.iter().any(|p| p.text == point.text) {
                    return;
                }
                let shown = format_point(&point);
                if !points.is_empty() {
                    ctx.emit("\n");
                }
                ctx.emit(&shown);
                points.push(point);
            }
        };
        let completion = self.call(
            ctx,
            prompt,
            vars,
            max_tokens,
            &plan.request,
            &mut |ctx, piece| {
                for line in lines.push(piece) {
                    show(ctx, &mut points, &line);
                }
                points.len() < max_points
            },
        )?;
        if let Some(rest) = lines.finish() {
            show(ctx, &mut points, &rest);
        }
        let reason = if ctx.cancel.is_cancelled() {
            StopReason::Cancelled
        } else if completion.stop_reason == StopReason::Cancelled && points.len() >= max_points {
            // We stopped the model ourselves once the summary had all its
            // points: the summary is complete, not cancelled.
            StopReason::StopSequence
        } else {
            completion.stop_reason
        };
        Ok((points, reason))
    }

    /// Numbered paragraphs as prompt items, long ones split so each fits.
    fn numbered_items<'p>(
        &self,
        paragraphs: &'p [String],
        budget: usize,
    ) -> Result<Vec<(Para<'p>, usize)>, TaskError> {
        let mut items = Vec::new();
        for (i, p) in paragraphs.iter().enumerate() {
            let n = i + 1;
            let cost = self.generator.count_tokens(p)? + 6;
            if cost <= budget {
                items.push((
                    Para {
                        n,
                        text: p.as_str(),
                    },
                    cost,
                ));
                continue;
            }
            let chunks = self.chunk(&[p.as_str()], budget, 6)?;
            let mut offset = 0;
            for chunk in chunks {
                // Chunks are consecutive pieces of the paragraph; borrow them
                // from the paragraph so the prompt sees the original text.
                let len = chunk.text.len();
                let piece = p.get(offset..offset + len).unwrap_or(p.as_str());
                offset += len;
                items.push((Para { n, text: piece }, chunk.cost));
            }
        }
        Ok(items)
    }
}

/// Greedy grouping of items (with costs) into groups within `budget`.
fn pack<T>(items: &[(T, usize)], budget: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, (_, cost)) in items.iter().enumerate() {
        if groups.is_empty() || used + cost > budget {
            groups.push(Vec::new());
            used = 0;
        }
        if let Some(last) = groups.last_mut() {
            last.push(i);
        }
        used += cost;
    }
    groups
}
