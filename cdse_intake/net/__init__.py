"""HTTP for every layer above: the aiohttp session, retries and error mapping (``http``), and the
transport that decides who sees the bearer token and follows CDSE's cross-host redirects."""
