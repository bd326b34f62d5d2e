"""An organisation's case settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.cases.models import CaseSettings
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


@transaction.atomic
def case_settings_set(*, org: Organisation, actor: User, decisions_need_approval: bool) -> CaseSettings:
    """An organisation administrator decides whether caseworkers' identification decisions wait
    for a supervisor's approval before they count."""
    if Role.ORG_ADMIN not in roles_in(actor, org):
        raise PermissionDenied(_("Only an administrator of this organisation can change its "
                                 "case settings."))
    if not isinstance(decisions_need_approval, bool):
        raise ValidationError({"decisions_need_approval": [_("Answer yes or no.")]})
    conf, _created = CaseSettings.objects.select_for_update().get_or_create(organisation=org)
    if conf.decisions_need_approval != decisions_need_approval:
        conf.decisions_need_approval = decisions_need_approval
        conf.save()
        audit_record(action="cases.settings.changed", actor=actor, organisation=org, obj=conf,
                     payload={"decisions_need_approval": decisions_need_approval})
    return conf
