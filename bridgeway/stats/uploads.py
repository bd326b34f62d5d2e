"""An upload handler that stops reading a request body past the import size limit, so a 2 GB
upload is refused without being written to disk first."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict


class ImportSizeLimit(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.limit = settings.BRIDGEWAY_IMPORT_MAX_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The body also holds the form's other fields: allow a little over the limit.
        if content_length and content_length > self.limit + 64 * 1024:
            self.request.stats_upload_too_large = True
            # Parsed as empty: the body is never read.
            return QueryDict(), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.stats_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
