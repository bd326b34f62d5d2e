"""The encrypted package for an organisation that is not on the platform.

Built on demand from exactly the sections the sender chose — with the same code the recipient's
live view uses (queries.shared_sections) — as package.json, a readable package.html with coded
fields in the package's language, and the shared documents; zipped, then encrypted with a
passphrase (scrypt) or the recipient's X25519 public key (file format in package_open and
docs/referral-package.md). Nothing of the package is stored: each hand-over builds it anew, and
each is logged (access log via "export", audit referrals.package.handed_over, and on the
referral who handed it over and when). The passphrase is never stored or logged."""

from __future__ import annotations

import io
import json
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgeway.orgs.codes import OrgType, country_name
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import access
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.referrals import package_open
from bridgeway.referrals.codes import Status
from bridgeway.referrals.models import Referral
from bridgeway.referrals.queries import shared_case_documents, shared_sections
from bridgeway.referrals.services import SENDER_ROLES

MODE_PASSPHRASE = "passphrase"
MODE_KEY = "key"
MODES = (MODE_PASSPHRASE, MODE_KEY)
# Statuses in which the sender may (again) hand over the package.
HANDABLE = (Status.PENDING, Status.HANDED_OVER)
_EXT = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp",
        "text/plain": "txt", "application/vnd.oasis.opendocument.text": "odt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}


def package_content(referral: Referral, language: str) -> bytes:
    """The zip (before encryption): package.json, package.html and documents/."""
    with translation.override(language):
        shared = shared_sections(referral)
        docs = []
        if "documents" in shared:
            for n, doc in enumerate(shared_case_documents(referral).select_related("subject"), 1):
                docs.append((f"documents/document-{n}.{_EXT.get(doc.content_type, 'bin')}",
                             doc))
            shared["documents"] = [{"file": name, "content_type": d.content_type,
                                    "size": d.size, "uploaded_at": d.uploaded_at}
                                   for name, d in docs]
        meta = {
            "format": "bridgeway-referral-package", "version": 1,
            "reference": referral.reference, "kind": referral.kind, "language": language,
            "created_at": timezone.now(),
            "from": {"name": referral.sender.name, "country": referral.sender.country},
            "to": {"name": referral.offplatform_name, "country": referral.offplatform_country,
                   "type": referral.offplatform_type},
            "sections": list(referral.sections),
            "services_requested": list(referral.services),
            "services_requested_labels": referral.service_labels(),
            "reason": referral.reason, "reason_label": str(referral.get_reason_display()),
            "urgency": referral.urgency,
            "shared": shared,
        }
        html = render_to_string("referrals/package.html", {
            "referral": referral, "meta": meta, "language": language,
            "to_country": country_name(referral.offplatform_country),
            "to_type": OrgType(referral.offplatform_type).label
            if referral.offplatform_type in OrgType.values else referral.offplatform_type,
            "shared": {k: v for k, v in shared.items() if k != "documents"},
            "documents": shared.get("documents"),
        })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("package.json", json.dumps(meta, cls=DjangoJSONEncoder, ensure_ascii=False,
                                               indent=2))
        zf.writestr("package.html", html)
        for name, doc in docs:
            zf.writestr(name, b"".join(protection.document_chunks(doc)))
    return buffer.getvalue()


@transaction.atomic
def package_hand_over(*, referral: Referral, actor, mode: str, passphrase: str = "",
                      public_key: str = "", language: str = "") -> bytes:
    """Builds and encrypts the package and records the hand-over. Returns the file."""
    if not roles_in(actor, referral.sender) & SENDER_ROLES:
        raise PermissionDenied(_("Only caseworkers and supervisors of the referring "
                                 "organisation can hand over the package."))
    referral = Referral.objects.select_for_update().select_related(
        "case", "subject", "sender").get(pk=referral.pk)
    errors: dict[str, list[str]] = {}
    if referral.recipient_id is not None:
        errors["status"] = [_("This organisation is on the platform: it reads the referral "
                              "here, no package is needed.")]
    elif referral.status not in HANDABLE:
        errors["status"] = [_("This referral is %(status)s: no package can be made.")
                            % {"status": referral.get_status_display()}]
    elif referral.subject.is_erased:
        errors["status"] = [_("This person's data was erased.")]
    key = None
    if mode == MODE_PASSPHRASE:
        if len(passphrase or "") < package_open.MIN_PASSPHRASE:
            errors["passphrase"] = [_("Use a passphrase of at least 12 characters.")]
    elif mode == MODE_KEY:
        try:
            key = package_open.load_public_key(public_key or "")
        except package_open.PackageError:
            errors["public_key"] = [_("Paste the recipient's X25519 public key (32 bytes in "
                                      "base64).")]
    else:
        errors["mode"] = [_("Choose a passphrase or the recipient's public key.")]
    language = language or referral.package_language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the platform's languages.")]
    if errors:
        raise ValidationError(errors)
    content = package_content(referral, language)
    sealed = package_open.seal(content, passphrase=passphrase if key is None else None,
                               public_key=key)
    now = timezone.now()
    was = referral.status
    referral.status = Status.HANDED_OVER
    referral.handed_over_at = now
    referral.handed_over_by = actor
    referral.save(update_fields=["status", "handed_over_at", "handed_over_by"])
    access.note_download(actor, [referral.subject], via="export", screen="referrals:package")
    audit_record(action="referrals.package.handed_over", actor=actor,
                 organisation=referral.sender, obj=referral,
                 payload={"reference": referral.reference, "mode": mode, "language": language,
                          "sections": list(referral.sections), "was": was})
    return sealed
