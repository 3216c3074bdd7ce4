"""S3 (being written)."""


class S3Server:
    credentials = ("x", "y")

    def __init__(self, catalogue, host):
        self.host = host

    def start(self) -> str:
        return f"http://{self.host}:1"

    def stop(self) -> None:
        pass
