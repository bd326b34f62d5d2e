"""Free-text answers, sealed at rest. On every save the answers are split: choices, numbers and
dates stay in `Submission.answers` (clear, so counting needs no key), everything else (see
spec.CLEAR_TYPES) goes to one SubmissionText row per answer, sealed with the submission's own data
key (protection.sealing), which the respondent organisation's key-encryption key wraps.

Texts are opened only in memory and only for someone the scoped queries let through: the
respondent's own submission (to resume or read it), the survey's coordinators (one submission, a
page of one question's answers, an export)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from bridgeway.protection.sealing import open_value, record_key, seal_value
from bridgeway.surveys.models import Submission, SubmissionText
from bridgeway.surveys.spec import CLEAR_TYPES

SEP = "/"  # never in a question name (an XML name), so a place reads back without doubt


def is_sealed(qtype: str) -> bool:
    return qtype not in CLEAR_TYPES


def split_texts(nodes: list[dict[str, Any]], answers: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, tuple[str, Any]]]:
    """(the answers without texts, {place: (question, value)}); `answers` is left as it is."""
    clear = copy.deepcopy(answers) if isinstance(answers, dict) else {}
    texts: dict[str, tuple[str, Any]] = {}

    def walk(ns: list[dict[str, Any]], values: dict[str, Any], prefix: str) -> None:
        for node in ns:
            if node["kind"] == "group":
                walk(node["children"], values, prefix)
            elif node["kind"] == "repeat":
                items = values.get(node["name"])
                if isinstance(items, list):
                    for i, item in enumerate(items):
                        if isinstance(item, dict):
                            walk(node["children"], item, f"{prefix}{node['name']}{SEP}{i}{SEP}")
            elif is_sealed(node["type"]) and node["name"] in values:
                value = values.pop(node["name"])
                if value not in (None, "", []):
                    texts[prefix + node["name"]] = (node["name"], value)

    walk(nodes, clear, "")
    return clear, texts


def merge_texts(answers: dict[str, Any], texts: dict[str, Any]) -> dict[str, Any]:
    """The answers with the opened texts put back in their places."""
    out = copy.deepcopy(answers) if isinstance(answers, dict) else {}
    for place, value in texts.items():
        target = unit_at(out, place)
        if target is not None:
            target[place.rsplit(SEP, 1)[-1]] = value
    return out


def unit_at(answers: dict[str, Any], place: str) -> dict[str, Any] | None:
    """The answer dict that holds `place` (the submission's, or a repeat entry's)."""
    parts = place.split(SEP)[:-1]
    target: Any = answers
    for name, index in zip(parts[::2], parts[1::2], strict=False):
        items = target.get(name) if isinstance(target, dict) else None
        if not isinstance(items, list) or not index.isdigit() or int(index) >= len(items):
            return None
        target = items[int(index)]
    return target if isinstance(target, dict) else None


def _aad_place(place: str) -> str:
    return f"answers{SEP}{place}"


def store_texts(submission: Submission, texts: dict[str, tuple[str, Any]]) -> None:
    """Replaces the submission's sealed texts (inside the caller's transaction); the submission
    is saved, and its data key is made on first use."""
    had_key = bool(submission.wrapped_key)
    SubmissionText.objects.filter(submission=submission).delete()
    if not texts:
        return
    record_key(submission)
    if not had_key:
        Submission.objects.filter(pk=submission.pk).update(kek_id=submission.kek_id,
                                                           wrapped_key=submission.wrapped_key)
    SubmissionText.objects.bulk_create(
        SubmissionText(submission=submission, survey_id=submission.survey_id, question=question,
                       place=place, value=seal_answer(submission, place, value))
        for place, (question, value) in texts.items())


def seal_answer(submission: Submission, place: str, value: Any) -> bytes:
    return seal_value(submission, _aad_place(place), json.dumps(value).encode())


def open_text(submission: Submission, place: str, sealed: bytes | memoryview) -> Any:
    return json.loads(open_value(submission, _aad_place(place), sealed))


def submission_texts(submission: Submission) -> dict[str, Any]:
    return {place: open_text(submission, place, value) for place, value in
            SubmissionText.objects.filter(submission=submission).values_list("place", "value")}


def full_answers(submission: Submission) -> dict[str, Any]:
    """Every answer of a submission the caller may already see, texts opened in memory."""
    if not submission.wrapped_key:
        return submission.answers if isinstance(submission.answers, dict) else {}
    return merge_texts(submission.answers, submission_texts(submission))


def opened(submissions: Iterable[Submission]) -> Iterable[tuple[Submission, dict[str, Any]]]:
    """(submission, its full answers) for an export: texts read in batches, opened one by one
    in memory and never kept beyond the submission being written."""
    batch: list[Submission] = []
    for sub in submissions:
        batch.append(sub)
        if len(batch) == 500:
            yield from _opened_batch(batch)
            batch = []
    yield from _opened_batch(batch)


def _opened_batch(batch: list[Submission]) -> Iterable[tuple[Submission, dict[str, Any]]]:
    sealed: dict[int, list[tuple[str, bytes | memoryview]]] = {}
    for sub_id, place, value in (SubmissionText.objects
                                 .filter(submission_id__in=[s.pk for s in batch])
                                 .values_list("submission_id", "place", "value")):
        sealed.setdefault(sub_id, []).append((place, value))
    for sub in batch:
        rows = sealed.get(sub.pk, [])
        yield sub, merge_texts(sub.answers, {p: open_text(sub, p, v) for p, v in rows})
