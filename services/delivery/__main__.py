"""`python -m services.delivery`: run the delivery service until SIGINT/SIGTERM."""

from services.delivery.bootstrap import DeliverySettings, create_app

if __name__ == "__main__":
    create_app(DeliverySettings()).run()
