"""`python -m services.payment`: run the payment service until SIGINT/SIGTERM."""

from services.payment.bootstrap import PaymentSettings, create_app
from services.runtime.settings import read_settings

if __name__ == "__main__":
    create_app(read_settings(PaymentSettings, "payment")).run()
