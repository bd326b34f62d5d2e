"""An upload too large for memory (a statistics file of names, a scanned document) is spooled to
disk encrypted, in an unnamed file: never in clear, and nothing left if the process dies."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from bridgeway.protection.spool import EncryptedSpool

NAME = b"Zenobia Quarrington,+37369555013,MD-5550131313\n"


def test_large_upload_is_spooled_encrypted_and_reads_back_whole(settings):
    content = NAME * 80_000  # 3.8 MB: over FILE_UPLOAD_MAX_MEMORY_SIZE
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("people.csv", content)})
    upload = request.FILES["file"]
    # Not Django's TemporaryUploadedFile: no named file in clear in the temporary directory.
    assert not hasattr(upload, "temporary_file_path")
    spool = upload.file.raw
    spool._fh.seek(0)
    on_disk = spool._fh.read()
    assert len(on_disk) >= len(content) and b"Quarrington" not in on_disk
    assert upload.size == len(content)
    assert upload.read() == content
    assert b"".join(upload.chunks()) == content  # chunks() starts again from the beginning
    upload.seek(len(content) - len(NAME))
    assert upload.read() == NAME


def test_spool_seeks_across_segments():
    spool = EncryptedSpool()
    data = bytes(range(256)) * 1000
    for i in range(0, len(data), 7777):
        spool.write(data[i:i + 7777])
    spool.finish()
    spool.seek(65_530)
    assert spool.read(20) == data[65_530:65_550]
    spool.seek(0)
    assert spool.read() == data
