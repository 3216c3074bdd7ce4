"""The package version, in one place: pyproject, the User-Agent and manifests read it here."""

__version__ = "0.1.0.dev0"
