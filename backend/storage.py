"""Storage for files served only through permission-checked views (label sheets)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, with no public URL. The folder is read on each
    use, so a changed setting (tests, deployments) takes effect at once."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def base_url(self):
        return None

    # Readable by the product's own user only.
    file_permissions_mode = 0o600
    directory_permissions_mode = 0o700
