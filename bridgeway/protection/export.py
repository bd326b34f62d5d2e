"""Subject-access export: everything held about one person, as a readable HTML page, the same as
JSON, and their documents, in one ZIP. Modules add their sections through the registry."""

from __future__ import annotations

import io
import json
import re
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from bridgeway.protection import registry
from bridgeway.protection.models import AccessLogEntry, Consent, EncryptedDocument, ErasureRequest
from bridgeway.protection.services import document_chunks


def _core_sections(subject) -> list[dict]:
    sections = [{
        "title": "Person",
        "rows": [{"Reference": subject.reference, "Name": subject.display_name,
                  "Organisation": subject.organisation.name,
                  "Registered": subject.created_at.isoformat(),
                  "Retention starts": subject.retention_anchor.isoformat()
                  if subject.retention_anchor else "",
                  "Legal hold": "yes" if subject.legal_hold else "no"}],
    }]
    consents = Consent.objects.filter(subject=subject).order_by("given_on")
    sections.append({"title": "Consent", "rows": [{
        "Purpose": c.get_purpose_display(), "Recipient": c.recipient_type or "any",
        "How": c.get_method_display(), "Given on": c.given_on.isoformat(),
        "Valid until": c.expires_on.isoformat() if c.expires_on else "",
        "Witness or guardian": c.witness_or_guardian or "", "Note": c.note or "",
        "Withdrawn": c.withdrawn_at.isoformat() if c.withdrawn_at else "",
    } for c in consents]})
    docs = EncryptedDocument.objects.filter(subject=subject).order_by("uploaded_at")
    sections.append({"title": "Documents", "rows": [{
        "File": d.filename, "Type": d.content_type, "Size (bytes)": d.size,
        "Uploaded": d.uploaded_at.isoformat()} for d in docs]})
    seen = AccessLogEntry.objects.filter(subject=subject).select_related("user").order_by("at")
    sections.append({"title": "Who saw this data", "rows": [{
        "When": e.at.isoformat(), "Who": e.user.full_name, "Where": e.screen, "How": e.via,
    } for e in seen]})
    erasures = ErasureRequest.objects.filter(subject=subject).order_by("requested_at")
    sections.append({"title": "Erasure requests", "rows": [{
        "Requested": e.requested_at.isoformat(), "Reason": e.get_reason_display(),
        "Status": e.get_status_display()} for e in erasures]})
    return sections


def _safe_name(index: int, name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name or "document").strip() or "document"
    return f"documents/{index:03d}-{cleaned[:80]}"


def build_bundle(subject) -> bytes:
    sections = _core_sections(subject)
    for provider in registry.export_providers():
        sections.extend(provider(subject))
    generated = timezone.now().isoformat()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("subject.json", json.dumps(
            {"reference": subject.reference, "generated": generated, "sections": sections},
            ensure_ascii=False, indent=2, default=str))
        zf.writestr("subject.html", render_to_string(
            "protection/export.html",
            {"subject": subject, "sections": sections, "generated": generated}))
        for index, doc in enumerate(EncryptedDocument.objects.filter(subject=subject)
                                    .order_by("uploaded_at"), start=1):
            zf.writestr(_safe_name(index, doc.filename), b"".join(document_chunks(doc)))
    return buffer.getvalue()
