#!/usr/bin/env python3
"""Checks every prompt file under prompts/ without a model.

Usage (Jinja2 in a throwaway venv, never in the repo):
    python3 -m venv /tmp/wenshu-venv && /tmp/wenshu-venv/bin/pip install jinja2
    /tmp/wenshu-venv/bin/python prompts/check.py [-v]

For each of the 24 expected files: TOML parses; id/task/doc_type/direction
agree with the path; version >= 1; both styles render (StrictUndefined, so an
unknown variable fails, as in the Rust loader) with and without a glossary;
the completion template ends exactly where the answer starts; the worked
examples are in the output format the software parses and contain no stop
sequence; Chinese text has no Simplified-only characters and no ASCII
punctuation next to Chinese; the few-shot part stays within the size budget.
Exit status 0 when all pass, 1 otherwise.
"""

import re
import sys
import tomllib
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parent
DRAFT_TYPES = ["memo", "letter", "press-release", "legco-reply", "progress-report",
               "minutes", "circular", "speech"]
EXPECTED = (
    [f"summarise/{d}.{l}.toml" for d in ("general", "reduce") for l in ("zh-Hant", "en")]
    + ["translate/general.en-to-zh-Hant.toml", "translate/general.zh-Hant-to-en.toml"]
    + [f"polish/general.{l}.toml" for l in ("zh-Hant", "en")]
    + [f"draft/{d}.{l}.toml" for d in DRAFT_TYPES for l in ("zh-Hant", "en")]
)
KEYS = {"id", "version", "task", "doc_type", "direction", "description", "stop",
        "max_tokens", "completion", "chat"}
# Where the completion template must end (the model's answer starts right after).
ENDINGS = {
    # Summaries end with the first bullet's "-" already written: the demo
    # model otherwise re-copies the document; the parser accepts either.
    ("summarise", "zh-Hant"): "要點：\n-", ("summarise", "en"): "Key points:\n-",
    ("translate", "en-to-zh-Hant"): "中文：", ("translate", "zh-Hant-to-en"): "English:",
    ("polish", "zh-Hant"): "書面語：", ("polish", "en"): "Plain English:",
    ("draft", "zh-Hant"): "擬稿：\n", ("draft", "en"): "Draft:\n",
}
REDUCE_ENDINGS = {"zh-Hant": "合併要點：\n-", "en": "Merged key points:\n-"}
# Characters that exist only in Simplified Chinese (a common subset), plus
# Traditional variants that Hong Kong does not use (裡 綫 爲 衛 for 衞 …).
SIMPLIFIED = set(
    "们这个来时说会为对发开关门运与将经过还进报请让认识设计务员区书机车东马长见问间题头实现点应该从业样动议记录"
    "显总统专产单网线号码费务际历师岁岛广厅县乡医疗卫药农钱银铁铺种类术习写乐买卖读谁谢详设诉试语误调谈"
    "边达远连选适递导层属岁尽带帮帐庄库应废开异张强归录忆态总恶惯战户执扩扫护担拥择挥损换举"
    "敌数断无旧时显晓暂术杀杂权条来杨极构标样桥梦检欢毕气汉汤没沟泽洁洒浅测济浓润涨渐渔湾灭灯灵"
    "炉点热爱牵犹独狮环现电画畅疗盖监盘确码础离种积称稳穷窃竞笔简粮纪约级纯纳纸纺线练组细织终经"
    "结绕绘给络统继绩续维综绿缓编缩罚罢职联肃胁脑脚脸节获华让设证评识诉诊词译试诗话询该详语误说请诸"
    "读课谁调谈谋谓谢谨贝负贡财责贤败货质购贯贵贷贸费资赋赏赔赖赛赶赵趋跃践车轨转轮软轻载较辆辑输辖"
    "边辽达迁过迈运还这进远违连迟适选逊递邮邻郑酱释钟钢钥钦钱铁铜铝银铺链销锁锅锋错锦键镇镜长门闭问闯"
    "闲间闹闻阀阅队阳阴阵阶际陆陈险隐隶难雾静韦韩页顶项顺须顾顿预领频题额风飞饥饭饮饰饱馆马驶驾验骑"
    "骤鱼鲜鸟鸡鸣鸭鸿麦黄齐齿龄龙"
    "裡綫爲衛")
CJK = r"[\u3400-\u9fff]"
ASCII_PUNCT_NEXT_TO_CJK = re.compile(rf"{CJK}[,:;!?()]|[,:;!?(]{CJK}")
POINT = re.compile(r"^- \S.* \[\d+(?:, \d+)*\]$")
# The few-shot part is re-read for every call on a 2-core CPU: keep it small.
MAX_FEWSHOT_TOKENS = 370


def estimate_tokens(text: str) -> int:
    """Gemma 3 tokens, estimated within ~10%. Fitted on these files against
    the demo model's own tokenizer: a Chinese character ~0.85 token, wide
    punctuation ~0.7, a digit ~1.45 (digits are split one by one), any other
    character ~0.22."""
    han = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    wide = sum(1 for c in text if ord(c) >= 0x2E80) - han
    digits = sum(1 for c in text if c.isdigit())
    other = len(text) - han - wide - digits
    return round(0.85 * han + 0.7 * wide + 1.45 * digits + 0.22 * other)


def sample_vars(zh: bool, glossary: bool) -> dict:
    g = ([{"source": "[T1]", "target": "房屋署" if zh else "Housing Department"}]
         if glossary else [])
    return {
        "text": "INPUT_TEXT",
        "paragraphs": [{"n": 7, "text": "PARA_SEVEN"}, {"n": 8, "text": "PARA_EIGHT"}],
        "points": ["POINT_A [7]", "POINT_B [8, 9]"],
        "doc_type_label": "便箋" if zh else "memo",
        "tone": "formal",
        "max_points": 5,
        "glossary": g,
        # A document paragraph's inline tags come with the glossary case, so both forms are rendered.
        "tags": glossary,
    }


def env() -> jinja2.Environment:
    # Same behaviour as the Rust loader's minijinja setup.
    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)


def examples_of(task: str, template: str) -> list[str]:
    """The worked answers in a completion template (rendered, input excluded)."""
    answers = []
    if task == "summarise":
        for m in re.finditer(r"^(?:要點|Key points|合併要點|Merged key points)[：:]\n(.*?)\n\n",
                             template, re.S | re.M):
            answers.append(m.group(1))
    elif task in ("translate", "polish"):
        for m in re.finditer(r"^(?:中文|English|書面語|Plain English)[：:] ?(.*)$", template, re.M):
            answers.append(m.group(1))
    elif task == "draft":
        for m in re.finditer(r"(?:擬稿：|Draft:)\n(.*?)\n###", template, re.S):
            answers.append(m.group(1))
    return answers


def check(rel: str, errors: list[str], verbose: bool) -> None:
    path = ROOT / rel
    err = lambda msg: errors.append(f"{rel}: {msg}")  # noqa: E731
    if not path.is_file():
        return err("missing")
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        return err(f"not valid TOML/UTF-8: {e}")
    unknown = set(data) - KEYS
    if unknown:
        err(f"unknown keys {sorted(unknown)} (the loader denies unknown fields)")
    task, doc_type, direction = data.get("task"), data.get("doc_type"), data.get("direction")
    want_id = rel.removesuffix(".toml").replace("/", ".")
    if data.get("id") != want_id:
        err(f"id {data.get('id')!r} but the path says {want_id!r}")
    if f"{task}.{doc_type}.{direction}" != want_id:
        err("task/doc_type/direction disagree with the id")
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        err("version must be an integer >= 1")
    if not isinstance(data.get("max_tokens"), int) or data["max_tokens"] < 1:
        err("max_tokens must be an integer >= 1")
    if not data.get("description"):
        err("description is empty")
    stops = data.get("stop", [])
    if not stops or not all(isinstance(s, str) and s for s in stops):
        err("stop must be a non-empty list of non-empty strings")
    completion = data.get("completion", {}).get("template")
    chat = data.get("chat", {})
    if not completion or not chat.get("system") or not chat.get("user"):
        return err("needs [completion].template and [chat].system/user")
    zh_out = direction in ("zh-Hant", "en-to-zh-Hant")
    e = env()
    for glossary in (False, True):
        v = sample_vars(zh_out, glossary)
        try:
            text = e.from_string(completion).render(**v)
            system = e.from_string(chat["system"]).render(**v)
            user = e.from_string(chat["user"]).render(**v)
        except jinja2.TemplateError as ex:
            return err(f"render failed (glossary={glossary}): {ex}")
        ending = (REDUCE_ENDINGS[direction] if doc_type == "reduce"
                  else ENDINGS[(task, direction if task != "draft" else direction)])
        if not text.endswith(ending):
            err(f"completion must end with {ending!r}, ends with {text[-30:]!r}")
        needles = ["INPUT_TEXT"] if task != "summarise" else (
            ["POINT_A [7]", "POINT_B [8, 9]"] if doc_type == "reduce"
            else ["[7] PARA_SEVEN\n[8] PARA_EIGHT\n"])
        for n in needles:
            if n not in text or n not in user:
                err(f"input {n!r} missing from a rendered form (glossary={glossary})")
        if glossary and "[T1]" not in text.split("INPUT_TEXT")[-1] and "[T1]" not in text[-400:]:
            err("glossary not shown before the input in the completion form")
        if glossary and "[T1]" not in user:
            err("glossary not shown in the chat form")
        if verbose and glossary:
            print(f"--- {rel} (completion, with glossary)\n{text}\n--- chat\n{system}\n\n{user}\n")
    # The few-shot part: everything before the real input.
    head = e.from_string(completion).render(**sample_vars(zh_out, False))
    cut = min(i for i in (head.find("INPUT_TEXT"), head.find("[7] PARA_SEVEN"),
                          head.find("- POINT_A")) if i >= 0)
    fewshot = head[:cut]
    answers = examples_of(task, fewshot)
    if len(answers) < 2:
        err(f"expected at least 2 worked examples, found {len(answers)}")
    for a in answers:
        inner_stops = [s for s in stops if s in a]
        if task in ("translate", "polish"):
            inner_stops = [s for s in stops if s in a.strip()]
        if inner_stops:
            err(f"a worked answer contains stop sequence(s) {inner_stops}: {a[:60]!r}")
        if task == "summarise":
            for line in a.split("\n"):
                if not POINT.match(line):
                    err(f"example point not in '- text [n]' form: {line!r}")
        if task == "draft" and "\n\n" not in a:
            err("a draft example has no blank line between paragraphs")
    # Worked chat turns: each renders, and a summary's answer is in the
    # '- text [n]' form the software parses.
    examples = chat.get("examples", [])
    if not isinstance(examples, list) or any(
            not isinstance(x, dict) or set(x) != {"user", "assistant"} for x in examples):
        err("[[chat.examples]] entries need exactly `user` and `assistant`")
        examples = []
    for x in examples:
        try:
            e.from_string(x["user"]).render(**sample_vars(zh_out, False))
            answer = e.from_string(x["assistant"]).render(**sample_vars(zh_out, False))
        except jinja2.TemplateError as ex:
            err(f"chat example render failed: {ex}")
            continue
        if task == "summarise":
            for line in answer.split("\n"):
                if not POINT.match(line):
                    err(f"chat example point not in '- text [n]' form: {line!r}")
    if task == "summarise" and not any(re.search(r"\[\d+, \d+\]", a) for a in answers):
        err("no example shows a multi-paragraph citation like [2, 3]")
    tokens = estimate_tokens(fewshot)
    if tokens > MAX_FEWSHOT_TOKENS:
        err(f"few-shot part is about {tokens} tokens; keep it under {MAX_FEWSHOT_TOKENS}")
    # Script and punctuation in every Chinese string of the file.
    chinese = [s for s in (completion, chat["system"], chat["user"], data.get("description", ""))]
    chinese += [x[k] for x in examples for k in ("user", "assistant")]
    for s in chinese:
        bad = sorted({c for c in s if c in SIMPLIFIED})
        if bad:
            err(f"Simplified or non-HK characters {bad}")
        for m in ASCII_PUNCT_NEXT_TO_CJK.finditer(s):
            # "Notes:" style English labels are fine; flag only CJK neighbours.
            err(f"ASCII punctuation next to Chinese: {m.group(0)!r}")
        if re.search(r"[“”‘’]", s) and re.search(CJK, s):
            err("curly quotes in Chinese text; use 「」『』")
    if verbose:
        print(f"{rel}: v{data['version']}, {len(answers)} examples, few-shot ~{tokens} tokens")


def main() -> int:
    verbose = "-v" in sys.argv
    errors: list[str] = []
    for rel in EXPECTED:
        check(rel, errors, verbose)
    extra = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.toml")) 
    for rel in extra:
        if rel not in EXPECTED:
            check(rel, errors, verbose)
    for e in errors:
        print("FAIL", e)
    print(f"{len(EXPECTED)} expected prompt files, {len(extra)} found, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
