"""A model that holds personal data the way cases will: only in the test suite."""

import uuid

from django.db import models

from bridgeway.protection.fields import (
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    subject = models.ForeignKey("protection.DataSubject", on_delete=models.PROTECT)
    full_name = EncryptedTextField(null=True)
    birth_date = EncryptedDateField(null=True)
    identity_number = EncryptedTextField(null=True)
    phone = EncryptedTextField(null=True)
    details = EncryptedJSONField(null=True)
    # A non-personal statistical field that survives erasure.
    exploitation_type = models.CharField(max_length=40, blank=True)

    class Meta:
        app_label = "testapp"
