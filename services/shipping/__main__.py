"""`python -m services.shipping`: run the shipping service until SIGINT/SIGTERM."""

from services.runtime.settings import Settings, read_settings
from services.shipping.bootstrap import create_app

if __name__ == "__main__":
    create_app(read_settings(Settings, "shipping")).run()
