"""Advice in disguise: a question that carries its answer (METHOD.md, struggle 1).

The rules are data, one file per language (``advice_rules/<lang>.yaml``), so a facilitator
can read, and a consultancy can change, what is flagged without touching Python. Each rule
names the phrases that turn a question into advice and the short reason shown with it; a
rule may list ``unless`` phrases for the same opener going the other way ("Could you tell
us more…" asks, "Could you just delegate…" advises).

Phrases are regular expressions matched against the question made plain: lower case, no
accents, straight apostrophes and quotes, single spaces. Unless a rule says
``anywhere: true``, its phrase must open a clause: the start of the question, after a
punctuation mark, or after one of the file's ``openers`` ("and", "so", "alors"…) — so "What
have you already tried?" is not "Have you tried…?".

>>> looks_like_advice("Have you thought about delegating it?", "en")
'suggests an action ("have you thought about…")'
>>> looks_like_advice("What have you already tried?", "en") is None
True

``python -m codevwidgets.advice --evaluate FILE`` prints precision and recall per language
on a labelled set (see ``tests/unit/data/advice_questions.yaml``).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_DIR = Path(__file__).parent / "advice_rules"
# Apostrophes, quotes and dashes as people type them (or their phones do), made plain.
_PLAIN = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"', "”": '"'}
    | dict.fromkeys("‐‑‒–—―", "-")
    | dict.fromkeys("\u00a0\u202f\u2009", " ")
)
_CLAUSE_MARKS = r"[.,;:!?…\"()\-]"


def plain(text: str) -> str:
    """``text`` as the rules read it: lower case, no accents, plain quotes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def _pattern(source: str) -> str:
    # A phrase is written as people write (accents, curly apostrophes): read it as plain text
    # too, but keep its case, which carries meaning in a regular expression (\b, \S…).
    decomposed = unicodedata.normalize("NFKD", source.translate(_PLAIN))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Rule:
    """Phrases that make a question advice, the reason said, and phrases that excuse it."""

    reason: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...] = ()

    def match(self, text: str) -> bool:
        for pattern in self.patterns:
            for found in pattern.finditer(text):
                rest = text[found.start("phrase") :]
                if not any(excuse.match(rest) for excuse in self.unless):
                    return True
        return False


@dataclass(frozen=True)
class RuleSet:
    """One language's rules, in file order: the first that matches gives the reason."""

    language: str
    rules: tuple[Rule, ...]

    def reason(self, text: str) -> str | None:
        question = plain(text)
        return next((rule.reason for rule in self.rules if rule.match(question)), None)


def rule_languages() -> tuple[str, ...]:
    """The languages with a rules file, sorted."""
    return tuple(sorted(path.stem for path in RULES_DIR.glob("*.yaml")))


@cache
def rules_for(language: str) -> RuleSet | None:
    """The rules of ``language``, read once; ``None`` when it has no rules file."""
    if language not in rule_languages():
        return None
    return parse_rules(language, (RULES_DIR / f"{language}.yaml").read_text(encoding="utf-8"))


def parse_rules(language: str, text: str) -> RuleSet:
    """A rules file's content as a ``RuleSet``; ``ValueError`` naming the rule if malformed."""
    data = yaml.safe_load(text) or {}
    openers = [_pattern(word) for word in data.get("openers", [])]
    start = r"(?:^|" + _CLAUSE_MARKS + r"\s*" + "".join(f"|\\b{o}\\s+" for o in openers) + ")"
    rules: list[Rule] = []
    for i, entry in enumerate(data.get("rules", [])):
        try:
            reason = str(entry["reason"])
            phrases = [_pattern(p) for p in entry["phrases"]]
            lead = r"\b" if entry.get("anywhere") else start
            rules.append(
                Rule(
                    reason,
                    tuple(re.compile(f"{lead}(?P<phrase>{p})") for p in phrases),
                    tuple(re.compile(_pattern(p)) for p in entry.get("unless", [])),
                )
            )
        except (KeyError, TypeError, re.error) as exc:
            raise ValueError(f"advice rules {language}, rule {i + 1}: {exc}") from None
    return RuleSet(language, tuple(rules))


def looks_like_advice(text: str, language: str) -> str | None:
    """A short reason when ``text`` reads as advice dressed as a question, else ``None``.

    ``language``: the language it is written in (``fr-CA`` reads with ``fr``'s rules); one
    with no rules file flags nothing.
    """
    rules = rules_for(language) or rules_for(language.split("-")[0])
    return rules.reason(text) if rules else None


def question_advice(
    text: str, collects: str | None, kind: str | None, languages: Iterable[str]
) -> str | None:
    """The reason to flag a contribution as advice, if it is a question (``kind`` ``None`` or
    ``"questions"``) in a step that ``collects`` questions and reads as advice in the
    language it is written in; else ``None``.

    Any page may write in any language (a French phone in an English session), and the
    console must flag what the phone flagged: the question is read with ``languages``'
    rules first (the session's, then the page's: the reason comes in that language when
    they match), then with every other language's the kit has. The rules look for a
    language's own phrases, so one language's rules leave another's questions alone (the
    labelled sets' genuine questions, read in every language, stay unflagged).

    Only the clarification's questions are checked: advice is welcome in the consultation.

    >>> question_advice("Avez-vous pensé à déléguer ?", "questions", None, ["en"]) is not None
    True
    """
    if collects != "questions" or kind not in {None, "questions"}:
        return None
    for language in dict.fromkeys([*languages, *rule_languages()]):
        reason = looks_like_advice(text, language)
        if reason is not None:
            return reason
    return None


# ---------------------------------------------------------------------------------------------
# Measuring the rules on a labelled set.


@dataclass(frozen=True)
class Score:
    """How the rules did on one language's labelled questions (advice is the positive)."""

    language: str
    questions: int
    advice: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.advice if self.advice else 1.0


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    advice: bool


def read_labelled(path: Path) -> list[Labelled]:
    """A labelled set: ``{lang: [{q: text, advice: true|false}, …]}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Labelled(str(item["q"]), str(lang), bool(item["advice"]))
        for lang, items in data.items()
        for item in items
    ]


def evaluate(items: Iterable[Labelled]) -> dict[str, Score]:
    """Precision and recall of ``looks_like_advice`` per language."""
    counts: dict[str, list[int]] = {}
    for item in items:
        flagged = looks_like_advice(item.text, item.language) is not None
        n = counts.setdefault(item.language, [0, 0, 0, 0, 0])
        n[0] += 1
        n[1] += item.advice
        n[2] += flagged and item.advice
        n[3] += flagged and not item.advice
        n[4] += item.advice and not flagged
    return {lang: Score(lang, *n) for lang, n in sorted(counts.items())}


def score_table(scores: dict[str, Score]) -> str:
    """The scores as a Markdown table, as the README shows them."""
    lines = [
        "| language | questions | advice | precision | recall |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.language} | {s.questions} | {s.advice} | {s.precision:.2f} | {s.recall:.2f} |"
        for s in scores.values()
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codevwidgets.advice")
    parser.add_argument("--evaluate", metavar="FILE", type=Path, required=True)
    parser.add_argument("--misses", action="store_true", help="list what the rules got wrong")
    args = parser.parse_args(argv)
    items = read_labelled(args.evaluate)
    print(score_table(evaluate(items)))
    if args.misses:
        for item in items:
            flagged = looks_like_advice(item.text, item.language) is not None
            if flagged != item.advice:
                what = "missed" if item.advice else "wrongly flagged"
                print(f"{what} [{item.language}] {item.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
