"""The catalogue's product records, one module per mission.

``common`` holds what every mission shares (the sites, footprints, tile ids, record times, CDSE's
datetime format, the record factory); ``sentinel1``, ``sentinel2``, ``sentinel3``, ``sentinel5p``
and ``clms`` generate their mission's records; ``delivery`` marks which records are deliverable,
the showcase and the faults. :mod:`..catalogue` puts them together.
"""
