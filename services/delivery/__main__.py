"""`python -m services.delivery`: run the delivery service until SIGINT/SIGTERM."""

from services.delivery.bootstrap import DeliverySettings, create_app
from services.runtime.settings import read_settings

if __name__ == "__main__":
    create_app(read_settings(DeliverySettings, "delivery")).run()
