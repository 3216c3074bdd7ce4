"""Migration layer: the calls, arguments and output files of the tools our users come from.

One module per tool, each over cdse_intake's own search and downloader (``docs/migration.md``
puts their calls beside ours):

- :mod:`.odata_scripts`: the OData query/download scripts (query log, token file, exit codes;
  the command is ``python -m cdse_intake.compat.odata_download LOGFILE``);
- :mod:`.cso`: cso_dataspace's inquiry table and downloader;
- :mod:`.sat_download`: sat_download's ``ODataAPI``, ``SearchFilters``, ``COLLECTIONS``;
- :mod:`.cdsodatacli`: cdsodatacli's ``fetch_data`` and multi-account downloads.

Nothing is imported until a module is used.
"""

__all__ = ["cdsodatacli", "cso", "odata_scripts", "sat_download"]


def __getattr__(name: str) -> object:
    if name in __all__:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
