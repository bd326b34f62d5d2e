"""Writes of the estimation app. Each checks the actor's role, runs in a transaction and writes its
audit event (ids, counts and codes only: never a name, never the secret).

The computation itself is estim-core's pure code (clk, linkage, mse, dedupe); here it is fed from
the platform and its results are stored. Decrypted persons exist only in this process's memory
while an encoding or duplicate-check task runs.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.queries import coded_case_rows, personal_case_fields
from bridgeway.core import jobs
from bridgeway.estimation import clk, dedupe, encode, linkage, queries
from bridgeway.estimation.csvfiles import CsvError
from bridgeway.estimation.models import (
    CandidatePair,
    DedupeRun,
    EncodingJob,
    EncodingSet,
    Estimate,
    LinkageMatch,
    LinkageRun,
    NetworkLinkageSettings,
    Participation,
    TaskStatus,
)
from bridgeway.estimation.queries import (
    COORDINATOR_ROLES,
    DEDUPE_ROLES,
    ESTIMATE_ROLES,
    PARTICIPATION_ROLES,
)
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import network_members, roles_in
from bridgeway.protection import crypto
from bridgeway.protection.audit import audit_record
from bridgeway.protection.services import kek_id_for

MIN_SECRET_LENGTH = 16
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_TABLE_BYTES = 1024 * 1024


def _require(actor: Any, org: Organisation, roles: frozenset[str], message: str) -> None:
    if not roles_in(actor, org) & roles:
        raise PermissionDenied(message)


def _require_member(network: Organisation, org: Organisation) -> None:
    if not network_members(network).filter(member=org).exists():
        raise PermissionDenied(_("This organisation is not a member of the network."))


# --- background work (core.jobs) ------------------------------------------------------------

def _fail(work: Any, message: str) -> None:
    """The task failed on its input: the reason the person reads, nothing kept."""
    type(work).objects.filter(pk=work.pk).update(status=TaskStatus.FAILED, error=message[:500],
                                                 finished_at=timezone.now(), worker="")
    work.refresh_from_db()


def _done(work: Any, run: jobs.Run, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(work, name, value)
    work.status, work.finished_at, work.worker = TaskStatus.DONE, timezone.now(), ""
    work.rows_total = max(run.rows_total or 0, run.rows_done, work.rows_total)
    work.rows_done = work.rows_total
    work.heartbeat_at = work.finished_at
    work.save()


def job_interrupted(job: Any, *, resumed: bool) -> None:
    """Recorded when a worker died under an estimation task (`core.jobs.recover`): started
    again from the beginning, or failed with a message."""
    org = getattr(job, "organisation", None) or job.network
    payload = {"task": job._meta.model_name, "attempts": job.attempts}
    if resumed:
        audit_record(action="estimation.task.resumed", organisation=org, obj=job,
                     payload=payload)
    else:
        audit_record(action="estimation.task.interrupted", organisation=org, obj=job,
                     payload=payload)


# --- the network's linkage settings --------------------------------------------------------

@transaction.atomic
def linkage_settings_set(*, network: Organisation, actor: Any, share_matches: bool) -> NetworkLinkageSettings:

    _require(actor, network, COORDINATOR_ROLES,
             _("Only the network's coordinators change its linkage settings."))
    settings_row, _created = NetworkLinkageSettings.objects.get_or_create(network=network)
    settings_row.share_matches = bool(share_matches)
    settings_row.save()
    audit_record(action="estimation.linkage_settings.updated", actor=actor, organisation=network,
                 obj=settings_row, payload={"share_matches": settings_row.share_matches})
    return settings_row


# --- participation and the shared secret ----------------------------------------------------

@transaction.atomic
def linkage_secret_reset(*, network: Organisation, actor: Any) -> int:
    """Starts over with a new secret (a mistyped first secret, or a secret that leaked): every
    member's stored secret is destroyed and its participation turned off, the network's
    fingerprint is forgotten, and encodings made with the old secret are no longer linked.
    Returns how many organisations must enter the new secret."""

    _require(actor, network, COORDINATOR_ROLES,
             _("Only the network's coordinators start over with a new secret."))
    affected = Participation.objects.filter(network=network).exclude(sealed_secret=None)
    count = affected.count()
    Participation.objects.filter(network=network).update(
        enabled=False, sealed_secret=None, wrapped_key=None, kek_id="", secret_set_at=None)
    settings_row, _created = NetworkLinkageSettings.objects.get_or_create(network=network)
    settings_row.fingerprint = ""
    settings_row.save(update_fields=["fingerprint", "updated_at"])
    audit_record(action="estimation.linkage_secret.reset", actor=actor, organisation=network,
                 obj=settings_row, payload={"organisations": count})
    return count


def _secret_aad(part: Participation) -> bytes:
    return f"bridgeway.estimation.secret|{part.network_id}|{part.organisation_id}".encode()


def secret_key_name(part: Participation) -> str:
    """The name bound into the participation's wrapped data key."""
    return f"linkage-{part.network_id}-{part.organisation_id}"


def _seal_secret(part: Participation, secret: bytes) -> None:
    key = crypto.new_data_key()
    part.kek_id = kek_id_for(part.organisation)
    part.wrapped_key = crypto.wrap_data_key(
        key, key_id=part.kek_id, subject_id=secret_key_name(part))
    part.sealed_secret = crypto.seal(key, secret, _secret_aad(part))
    part.secret_set_at = timezone.now()


def _open_secret(part: Participation) -> bytes:
    assert part.wrapped_key is not None and part.sealed_secret is not None
    key = crypto.unwrap_data_key(
        bytes(part.wrapped_key), key_id=part.kek_id,
        subject_id=secret_key_name(part))
    return crypto.open_sealed(key, bytes(part.sealed_secret), _secret_aad(part),
                              what="linkage secret")


def _check_fingerprint(network: Organisation, fingerprint: str, *, field: str) -> NetworkLinkageSettings:
    """The network's fingerprint is set by the first secret or file; anything else must agree."""
    settings_row, _created = NetworkLinkageSettings.objects.select_for_update() \
        .get_or_create(network=network)
    if settings_row.fingerprint and settings_row.fingerprint != fingerprint:
        raise ValidationError({field: [_(
            "This was made with another linkage secret or another schema than the one the "
            "network's other organisations use (fingerprint %(got)s, expected %(want)s). Ask the "
            "participating organisations for the shared secret and the network's schema; "
            "nothing was saved.") % {"got": fingerprint, "want": settings_row.fingerprint}]})
    if not settings_row.fingerprint:
        settings_row.fingerprint = fingerprint
        settings_row.save(update_fields=["fingerprint", "updated_at"])
    return settings_row


@transaction.atomic
def participation_set(*, network: Organisation, org: Organisation, actor: Any, enabled: bool,
                      secret: bytes | None = None) -> Participation:
    """Turns the organisation's participation on or off and, if given, stores the shared linkage
    secret (sealed; never shown again). Taking part needs a secret."""

    _require(actor, org, PARTICIPATION_ROLES,
             _("Only the organisation's supervisors and administrators manage its participation."))
    _require_member(network, org)
    part = Participation.objects.select_for_update().filter(network=network,
                                                            organisation=org).first()
    part = part or Participation(network=network, organisation=org)
    if secret is not None:
        secret = secret.strip()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValidationError({"secret": [_(
                "The linkage secret must be at least %(n)d characters long (a long random "
                "phrase or a key file the participating organisations share).")
                % {"n": MIN_SECRET_LENGTH}]})
        _check_fingerprint(network, clk.fingerprint(clk.default_schema(), secret),
                           field="secret")
        _seal_secret(part, secret)
    if enabled and not part.has_secret:
        raise ValidationError({"secret": [_("Enter the linkage secret the participating "
                                            "organisations share before taking part.")]})
    part.enabled = bool(enabled)
    part.save()
    audit_record(action="estimation.participation.updated", actor=actor, organisation=org,
                 obj=part, payload={"network": network.pk, "enabled": part.enabled,
                                    "secret_changed": secret is not None})
    return part


# --- encodings --------------------------------------------------------------------------------

def _platform_records(org: Organisation) -> tuple[list[str], list[dict]]:
    """The organisation's persons as the default schema's records, decrypted in memory only."""

    sex = {row["pk"]: row["gender"] for row in coded_case_rows(org)}
    ids, records = [], []
    for case_id, person in personal_case_fields(org).items():
        ids.append(str(case_id))
        records.append({"given_names": person["first_name"], "surname": person["second_name"],
                        "date_of_birth": person["birth_date"], "sex": sex.get(case_id, "")})
    return ids, records


@transaction.atomic
def encoding_job_create(*, network: Organisation, org: Organisation, actor: Any) -> EncodingJob:

    _require(actor, org, PARTICIPATION_ROLES,
             _("Only the organisation's supervisors and administrators compute its encodings."))
    _require_member(network, org)
    part = Participation.objects.filter(network=network, organisation=org, enabled=True).first()
    if part is None or not part.has_secret:
        raise ValidationError(_("Turn participation on and enter the linkage secret first."))
    job = EncodingJob.objects.create(network=network, organisation=org, created_by=actor)
    audit_record(action="estimation.encodings.requested", actor=actor, organisation=org, obj=job,
                 payload={"network": network.pk})
    jobs.enqueue(job)
    job.refresh_from_db()
    return job


def encoding_job_run(job_id: int) -> EncodingJob | None:
    """Encodes the organisation's persons under its sealed secret. The task gets the id only."""

    job = EncodingJob.objects.select_related("network", "organisation", "created_by") \
        .filter(pk=job_id).first()
    if job is None:
        return None
    with jobs.running(job) as run:
        if run is None:
            return None
        try:
            part = Participation.objects.get(network=job.network, organisation=job.organisation)
            if not part.enabled or not part.has_secret:
                _fail(job, _("The organisation no longer takes part; nothing was computed."))
                return job
            ids, records = _platform_records(job.organisation)
            run.progress(0, len(ids))
            schema = clk.default_schema()
            secret = _open_secret(part)
            clks = clk.encode_many(records, schema, secret)
            run.progress(len(ids))
            with transaction.atomic():
                enc = EncodingSet.objects.create(
                    network=job.network, organisation=job.organisation,
                    source=EncodingSet.Source.PLATFORM,
                    fingerprint=clk.fingerprint(schema, secret), count=len(ids),
                    clks=clks.tobytes(), record_ids=ids, created_by=job.created_by)
                _done(job, run, encodings=enc)
                audit_record(action="estimation.encodings.computed", actor=job.created_by,
                             organisation=job.organisation, obj=enc,
                             payload={"network": job.network_id, "count": enc.count})
        except Exception:  # noqa: BLE001 — the message must not carry personal data
            _fail(job, _("Computing the encodings failed; nothing was kept."))
            raise
    return job


def _read_upload(upload: Any, limit: int) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.")
                                        % {"mb": limit // (1024 * 1024)}]})
    return upload.read()


@transaction.atomic
def encodings_upload(*, network: Organisation, actor: Any, upload: Any,
                     organisation: Organisation | None = None,
                     list_name: str = "") -> EncodingSet:
    """The standalone encoder's CSV: by a member organisation for itself, or by a coordinator
    for an organisation not on the platform (named by `list_name`). Refused whole, with the
    row, when a line is broken or the file was made with another secret or schema."""

    list_name = (list_name or "").strip()
    if organisation is not None:
        _require(actor, organisation, PARTICIPATION_ROLES,
                 _("Only the organisation's supervisors and administrators upload its "
                   "encodings."))
        _require_member(network, organisation)
        list_name = ""
    else:
        _require(actor, network, COORDINATOR_ROLES,
                 _("Only the network's coordinators upload the list of an organisation that "
                   "is not on the platform."))
        if not list_name:
            raise ValidationError({"list_name": [_("Name the list (e.g. the organisation it "
                                                   "comes from).")]})
        if len(list_name) > 120:
            raise ValidationError({"list_name": [_("The list name is longer than 120 "
                                                   "characters.")]})

    data = _read_upload(upload, MAX_UPLOAD_BYTES)
    try:
        parsed = encode.read_encodings(io.BytesIO(data), name=_("The file"))
    except (encode.EncodingFileError, CsvError) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    if not parsed.ids:
        raise ValidationError({"file": [_("The file holds no encodings.")]})
    _check_fingerprint(network, parsed.fingerprint, field="file")
    clks = np.asarray(parsed.clks, dtype=np.uint8)
    enc = EncodingSet.objects.create(
        network=network, organisation=organisation, list_name=list_name,
        source=EncodingSet.Source.UPLOAD, fingerprint=parsed.fingerprint, count=len(parsed.ids),
        clks=clks.tobytes(), record_ids=list(parsed.ids), created_by=actor)
    if organisation is not None:
        # Uploading for itself is taking part.
        Participation.objects.update_or_create(network=network, organisation=organisation,
                                               defaults={"enabled": True})
    audit_record(action="estimation.encodings.uploaded", actor=actor,
                 organisation=organisation or network, obj=enc,
                 payload={"network": network.pk, "count": enc.count})
    return enc


# --- linkage runs ---------------------------------------------------------------------------

@transaction.atomic
def run_start(*, network: Organisation, actor: Any, threshold: float | None = None) -> LinkageRun:

    _require(actor, network, COORDINATOR_ROLES, _("Only the network's coordinators run "
                                                  "linkage."))
    if threshold is None:
        threshold = linkage.DEFAULT_THRESHOLD
    if not 0.5 <= float(threshold) <= 1.0:
        raise ValidationError({"threshold": [_("The threshold is a Dice similarity between 0.5 "
                                               "and 1.")]})
    sets = queries.latest_encodings(network)
    if len(sets) < 2:
        raise ValidationError(_("Linkage needs the encodings of at least two lists; %(n)d "
                                "is ready.") % {"n": len(sets)})
    fingerprints = {e.fingerprint for e in sets}
    if len(fingerprints) > 1:
        raise ValidationError(_("The lists were encoded with different secrets or schemas; "
                                "they cannot be linked."))
    run = LinkageRun.objects.create(network=network, created_by=actor, threshold=float(threshold))
    run.encoding_sets.set(sets)
    run.lists = [{"letter": _letter(i), "label": queries.list_label(e), "size": e.count}
                 for i, e in enumerate(sets)]
    run.save(update_fields=["lists"])
    audit_record(action="estimation.linkage_run.started", actor=actor, organisation=network,
                 obj=run, payload={"lists": len(sets), "threshold": str(run.threshold)})
    jobs.enqueue(run)
    run.refresh_from_db()
    return run


def _letter(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if i < 26 else f"L{i + 1}"


def run_link(run_id: int) -> LinkageRun | None:
    """Links the run's encoding sets (encodings only: no name is read) and stores the capture
    histories and, for platform lists, which cases were found elsewhere."""
    run = LinkageRun.objects.select_related("network", "created_by").filter(pk=run_id).first()
    if run is None:
        return None
    with jobs.running(run) as lease:
        if lease is None:
            return None
        try:
            _link(run, lease)
        except Exception:  # noqa: BLE001
            _fail(run, _("The linkage failed; nothing was kept. Start it again, or tell the "
                         "platform's operators if it fails again."))
            raise
    return run


def _link(run: LinkageRun, lease: jobs.Run) -> None:

    sets = sorted(run.encoding_sets.all(), key=lambda e: queries.list_label(e).casefold())
    arrays = [np.frombuffer(bytes(e.clks), dtype=np.uint8).reshape(-1, 128) for e in sets]
    sizes = [len(a) for a in arrays]
    lease.progress(0, sum(sizes))
    clusters = linkage.link_many(arrays, run.threshold)
    lease.progress(sum(sizes))
    histories = linkage.capture_histories(sizes, clusters)
    rows: list[dict[str, Any]] = sorted(
        ({"pattern": "".join(str(int(b)) for b in pattern), "count": int(n)}
         for pattern, n in histories.items() if n),
        key=lambda r: str(r["pattern"]), reverse=True)
    matches = []
    across = 0
    for cluster in clusters:
        members = list(cluster)
        lists_in = {li for li, _ri in members}
        if len(lists_in) < 2:
            continue
        across += 1
        for li, ri in members:
            enc = sets[li]
            if enc.source == EncodingSet.Source.PLATFORM and enc.organisation_id:
                matches.append(LinkageMatch(run=run, organisation_id=enc.organisation_id,
                                            case_id=enc.record_ids[ri],
                                            others=len(lists_in) - 1))
    with transaction.atomic():
        LinkageMatch.objects.bulk_create(_still_theirs(matches))
        _done(run, lease, histories=rows, clusters_across=across)
        audit_record(action="estimation.linkage_run.finished", actor=run.created_by,
                     organisation=run.network, obj=run,
                     payload={"lists": len(sets), "shared": across})

def _still_theirs(matches: list[LinkageMatch]) -> list[LinkageMatch]:
    """Matches whose case still belongs to the organisation that encoded it (a case transferred
    or gone since the encoding is left out, never shown to the wrong organisation)."""
    case_model: Any = LinkageMatch._meta.get_field("case").related_model
    owned = set(case_model.objects.filter(pk__in=[m.case_id for m in matches])
                .values_list("pk", "organisation_id"))
    return [m for m in matches if (_uuid(m.case_id), m.organisation_id) in owned]


def _uuid(value: Any) -> Any:
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# --- estimates ------------------------------------------------------------------------------

@dataclass
class TableSource:
    lists: list[dict]
    rows: list[dict]


def _table_from_run(run: LinkageRun) -> TableSource:
    return TableSource(lists=[{"letter": x["letter"], "label": x["label"]} for x in run.lists],
                       rows=list(run.histories))


def _table_from_upload(upload: Any) -> TableSource:
    # mse brings scipy and statsmodels (about a third of a second): loaded by the estimate
    # task and the table check only, not by every process that imports the services.
    from bridgeway.estimation import mse

    data = _read_upload(upload, MAX_TABLE_BYTES)
    try:
        table = mse.read_table(data)
    except mse.TableError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return TableSource(
        lists=[{"letter": name, "label": name} for name in table.lists],
        rows=[{"pattern": "".join(str(int(b)) for b in pattern), "count": int(count)}
              for pattern, count in table.as_dict().items()])


def _capture_table(source: TableSource) -> Any:
    from bridgeway.estimation import mse

    return mse.CaptureTable.from_counts(
        [x["letter"] for x in source.lists],
        {tuple(int(c) for c in row["pattern"]): row["count"] for row in source.rows})


@transaction.atomic
def estimate_create(*, org: Organisation, actor: Any, title: str, run: LinkageRun | None = None,
                    upload: Any = None,
                    method: str = Estimate.Method.STEPWISE, pthresh: float = 0.02,
                    bootstrap: int = 1000, list_definitions: str = "") -> Estimate:
    from bridgeway.estimation import mse

    _require(actor, org, ESTIMATE_ROLES, _("Only coordinators and researchers run estimates."))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the estimate a title.")]
    elif len(title) > 120:
        errors["title"] = [_("The title is longer than 120 characters.")]
    if method not in Estimate.Method.values:
        errors["method"] = [_("Choose stepwise selection or main effects only.")]
    if not 0 < float(pthresh) < 1:
        errors["pthresh"] = [_("The p-value threshold is between 0 and 1 (0.02 is usual).")]
    if not 0 <= int(bootstrap) <= 5000:
        errors["bootstrap"] = [_("Between 0 (no bootstrap) and 5,000 replicates.")]
    if len(list_definitions or "") > 2000:
        errors["list_definitions"] = [_("At most 2,000 characters.")]
    if (run is None) == (upload is None):
        errors["source"] = [_("Choose a linkage run or upload a capture-history table (not "
                              "both).")]
    if errors:
        raise ValidationError(errors)
    if run is not None:
        if run.network_id != org.pk or run.status != TaskStatus.DONE:
            raise ValidationError({"run": [_("Choose a finished linkage run of this network.")]})
        source = _table_from_run(run)
        try:
            _capture_table(source)
        except mse.TableError as exc:
            raise ValidationError({"run": [str(exc)]}) from None
    else:
        source = _table_from_upload(upload)
    estimate = Estimate.objects.create(
        organisation=org, title=title, run=run, method=method, pthresh=float(pthresh),
        bootstrap=int(bootstrap), list_definitions=(list_definitions or "").strip(),
        table={"lists": source.lists, "rows": source.rows}, created_by=actor)
    audit_record(action="estimation.estimate.requested", actor=actor, organisation=org,
                 obj=estimate, payload={"method": method, "bootstrap": estimate.bootstrap,
                                        "run": run.pk if run else None,
                                        "lists": len(source.lists)})
    jobs.enqueue(estimate)
    estimate.refresh_from_db()
    return estimate


def estimate_run(estimate_id: int) -> Estimate | None:
    from bridgeway.estimation import mse

    estimate = Estimate.objects.select_related("organisation", "created_by") \
        .filter(pk=estimate_id).first()
    if estimate is None:
        return None
    with jobs.running(estimate) as lease:
        if lease is None:
            return None
        try:
            table = _capture_table(TableSource(**estimate.table))
            # Progress in bootstrap replicates, written by the worker's heartbeat.
            lease.progress(0, max(estimate.bootstrap, 1))
            result = mse.estimate(table, method=estimate.method, pthresh=estimate.pthresh,
                                  bootstrap=estimate.bootstrap, seed=estimate.seed,
                                  progress=lease.progress)
            with transaction.atomic():
                _done(estimate, lease, result=_plain_json(result.to_dict()))
                audit_record(action="estimation.estimate.finished", actor=estimate.created_by,
                             organisation=estimate.organisation, obj=estimate,
                             payload={"exists": bool(result.exists)})
        except mse.TableError as exc:
            _fail(estimate, str(exc))
        except Exception:  # noqa: BLE001
            _fail(estimate, _("The estimate failed; nothing was kept."))
            raise
    return estimate

def _plain_json(data: dict) -> dict:
    """The estimate as stored: numpy scalars become Python numbers; NaN or infinity are refused
    (PostgreSQL's jsonb has no place for them)."""
    def plain(value: Any) -> Any:
        if hasattr(value, "item"):
            return value.item()
        raise TypeError(f"{type(value).__name__} in an estimate")

    return json.loads(json.dumps(data, default=plain, allow_nan=False))


@transaction.atomic
def estimate_approve(*, estimate: Estimate, actor: Any) -> Estimate:

    _require(actor, estimate.organisation, ESTIMATE_ROLES,
             _("Only coordinators and researchers approve estimates."))
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if estimate.created_by_id == actor.pk:
        raise PermissionDenied(_("A second person must approve: you ran this estimate."))
    if estimate.status != TaskStatus.DONE:
        raise ValidationError(_("Only a finished estimate can be approved."))
    if estimate.release != Estimate.Release.DRAFT:
        raise ValidationError(_("This estimate is already approved."))
    estimate.release = Estimate.Release.APPROVED
    estimate.approved_by, estimate.approved_at = actor, timezone.now()
    estimate.save(update_fields=["release", "approved_by", "approved_at"])
    audit_record(action="estimation.estimate.approved", actor=actor,
                 organisation=estimate.organisation, obj=estimate)
    return estimate


@transaction.atomic
def estimate_publish(*, estimate: Estimate, actor: Any) -> Estimate:

    _require(actor, estimate.organisation, ESTIMATE_ROLES,
             _("Only coordinators and researchers publish estimates."))
    estimate = Estimate.objects.select_for_update().get(pk=estimate.pk)
    if estimate.release != Estimate.Release.APPROVED:
        raise ValidationError(_("An estimate is published only after a second person approved "
                                "it."))
    estimate.release = Estimate.Release.PUBLISHED
    estimate.published_at = timezone.now()
    estimate.save(update_fields=["release", "published_at"])
    audit_record(action="estimation.estimate.published", actor=actor,
                 organisation=estimate.organisation, obj=estimate)
    return estimate


# --- duplicates within one organisation -----------------------------------------------------

@transaction.atomic
def dedupe_start(*, org: Organisation, actor: Any) -> DedupeRun:

    _require(actor, org, DEDUPE_ROLES, _("Only supervisors look for duplicate persons."))
    run = DedupeRun.objects.create(organisation=org, created_by=actor)
    audit_record(action="estimation.dedupe_run.started", actor=actor, organisation=org, obj=run)
    jobs.enqueue(run)
    run.refresh_from_db()
    return run


def dedupe_run(run_id: int) -> DedupeRun | None:
    """splink over the organisation's persons, decrypted into this process's memory (DuckDB in
    memory): the candidate pairs keep case ids, a probability and the match weights only."""

    run = DedupeRun.objects.select_related("organisation", "created_by") \
        .filter(pk=run_id).first()
    if run is None:
        return None
    with jobs.running(run) as lease:
        if lease is None:
            return None
        try:
            ids, records = _platform_records(run.organisation)
            for case_id, record in zip(ids, records, strict=True):
                record["id"] = case_id
            lease.progress(0, len(records))
            found = dedupe.dedupe(records, clk.default_schema()) if len(records) > 1 else []
            lease.progress(len(records))
            pairs = [CandidatePair(run=run, case_a_id=a, case_b_id=b, probability=float(p),
                                   explanation=_explanation(why))
                     for a, b, p, why in found]
            with transaction.atomic():
                CandidatePair.objects.bulk_create(pairs)
                _done(run, lease, records=len(records))
                audit_record(action="estimation.dedupe_run.finished", actor=run.created_by,
                             organisation=run.organisation, obj=run,
                             payload={"records": len(records), "pairs": len(pairs)})
        except Exception:  # noqa: BLE001
            _fail(run, _("The duplicate check could not learn from this organisation's "
                         "persons (it needs enough of them, some alike); nothing was kept."))
            raise
    return run

def _explanation(why: dict) -> list[dict]:
    """dedupe's explanation ({field: match weight, "prior": weight}) as rows the review screen
    shows: the field's code and its weight (log2 Bayes factor). Names of fields, never values."""
    return [{"comparison": str(field), "weight": round(float(weight), 2)}
            for field, weight in (why or {}).items()]


@transaction.atomic
def pair_decide(*, pair: CandidatePair, actor: Any, decision: str) -> CandidatePair:

    _require(actor, pair.run.organisation, DEDUPE_ROLES,
             _("Only supervisors decide on duplicate persons."))
    if decision not in (CandidatePair.Decision.CONFIRMED, CandidatePair.Decision.REJECTED):
        raise ValidationError({"decision": [_("Say whether these are the same person or not.")]})
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    pair.decision, pair.decided_by, pair.decided_at = decision, actor, timezone.now()
    pair.save(update_fields=["decision", "decided_by", "decided_at"])
    payload = {"case_a": str(pair.case_a_id), "case_b": str(pair.case_b_id)}
    if decision == CandidatePair.Decision.CONFIRMED:
        audit_record(action="estimation.candidate_pair.confirmed", actor=actor,
                     organisation=pair.run.organisation, obj=pair, payload=payload)
    else:
        audit_record(action="estimation.candidate_pair.rejected", actor=actor,
                     organisation=pair.run.organisation, obj=pair, payload=payload)
    return pair


@transaction.atomic
def pair_merge(*, pair: CandidatePair, actor: Any, keep: str) -> Any:
    """Merges a confirmed pair's two cases into one: `keep` ("a" or "b") names the case kept.
    The cases app does the merge and records its one audit event."""
    from bridgeway.cases.services import case_merge

    _require(actor, pair.run.organisation, DEDUPE_ROLES,
             _("Only supervisors merge duplicate cases."))
    if pair.decision != CandidatePair.Decision.CONFIRMED:
        raise ValidationError({"decision": [
            _("Confirm that these are the same person before merging their cases.")]})
    if keep not in ("a", "b"):
        raise ValidationError({"keep": [_("Choose the case to keep.")]})
    kept, duplicate = ((pair.case_a, pair.case_b) if keep == "a"
                       else (pair.case_b, pair.case_a))
    return case_merge(keep=kept, duplicate=duplicate, actor=actor)
