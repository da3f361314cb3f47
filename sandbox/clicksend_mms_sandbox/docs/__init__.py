"""The rendered API reference: the spec as a Redoc page, served by the sandbox at /docs and built by `make docs`."""

from .routes import routes
from .site import build_site

__all__ = ["build_site", "routes"]
