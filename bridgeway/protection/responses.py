"""The two ways personal data leaves Bridgeway as a file — a document download and a
subject-access export — built once for the web UI and the API, each recorded in the access log
(and the export in the audit log) before any byte is sent."""

from django.http import Http404, HttpResponse, StreamingHttpResponse

from bridgeway.protection import access, crypto, services
from bridgeway.protection.audit import audit_record
from bridgeway.protection.export import build_bundle


def document_response(*, user, doc, screen: str) -> StreamingHttpResponse:
    try:
        chunks = services.document_chunks(doc)
    except crypto.SubjectErased:
        raise Http404 from None
    access.note_download(user, [doc.subject], via="download", screen=screen)
    response = StreamingHttpResponse(chunks, content_type=doc.content_type)
    # The stored file name may hold a name: the download gets a neutral one.
    response["Content-Disposition"] = f'attachment; filename="document-{str(doc.pk)[:8]}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(*, user, subject, screen: str) -> HttpResponse:
    bundle = build_bundle(subject)
    access.note_download(user, [subject], via="export", screen=screen)
    audit_record(action="protection.subject.exported", actor=user,
                 organisation=subject.organisation, obj=subject)
    response = HttpResponse(bundle, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{subject.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
