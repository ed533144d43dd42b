"""`python -m services.shipping`: run the shipping service until SIGINT/SIGTERM."""

from services.runtime.settings import Settings
from services.shipping.bootstrap import create_app

if __name__ == "__main__":
    create_app(Settings()).run()
