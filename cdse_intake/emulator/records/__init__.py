"""The catalogue's product records, one module per mission.

``common`` holds what every mission shares (the sites, footprints, tile ids, record times, CDSE's
datetime format, the record factory); ``sentinel1``, ``sentinel2``, ``sentinel3``, ``sentinel5p``
and ``clms`` generate their mission's records; ``delivery`` marks which records are deliverable,
the showcase and the faults. ``table`` adds a few dozen records to every other collection CDSE
lists (:mod:`..catalogue_list`), made by ``sentinel1_wv``, ``sentinel3_more``,
``sentinel5p_more``, ``sentinel6``, ``mosaics``, ``dem``, ``ccm``, ``clms_more`` and
``complementary`` (the OData-only collections), with ``shapes`` (tracks, tiles, periods) and
``attributes`` (each collection's attribute names and value types). :mod:`..catalogue` puts
them together.
"""
